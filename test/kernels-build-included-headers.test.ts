/**
 * The object cache key of a unit holds only the build headers it includes
 * (directly or through other build headers), so a layer compiled alone and
 * the same layer inside a whole network or firmware share one object.
 */
import { describe, expect, test } from 'vitest';
import { includedHeaders } from '../src/kernels/compile/compile.js';

const h = (name: string, code = ''): { name: string; code: string } => ({ name, code });

describe('includedHeaders', () => {
  const headers = [h('net.h', '#include "arena.h"\n'), h('arena.h', '#include "net.h"\n#include <stdint.h>\n'), h('config.h'), h('unused.h')];

  test('direct and transitive includes, in build order; cycles and system headers are harmless', () => {
    expect(includedHeaders(h('net.c', '#include <stdint.h>\n#include "net.h"\n'), headers).map((x) => x.name)).toEqual(['net.h', 'arena.h']);
    expect(includedHeaders(h('main.c', '  #  include "config.h"\n#include "missing.h"\n'), headers).map((x) => x.name)).toEqual(['config.h']);
  });

  test('a layer unit that includes only kernel headers depends on no build header', () => {
    expect(includedHeaders(h('layer_3.c', '#include <stdint.h>\n#include "snn_requant.h"\nvoid layer_3(void) {}\n'), headers)).toEqual([]);
  });

  test('a header named in a string or a comment is not an include', () => {
    expect(includedHeaders(h('x.c', 'const char *s = "see net.h";\n/* uses config.h */\n'), headers)).toEqual([]);
  });
});
