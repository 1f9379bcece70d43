/** The project's seeded stream, for test data (one implementation: src/util/xorshift.ts). */
export { xorshift32 } from '../../src/util/xorshift.js';
