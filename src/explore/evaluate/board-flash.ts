/**
 * Flash capacity of a board: what a configuration's image must fit in.
 */
import type { BoardProfile } from '../../emulator/board.js';
import { memoryOf } from '../../emulator/memory-map.js';

/** Bytes of the board's first flash region (0 when it has none). */
export function flashCapacity(board: BoardProfile): number {
  return memoryOf(board).flash.size;
}
