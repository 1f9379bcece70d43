/**
 * What a search strategy works on: a discrete space of genomes (one level
 * index per dimension) and evaluations with objectives to minimise and a
 * constraint violation. The DSE maps a genome to a skip configuration and an
 * evaluation to (-correct, cycles), violation = flash bytes over the limit.
 */

/** A point of a discrete space: `genome[d]` is a level index in `[0, levels[d])`. */
export type Genome = readonly number[];

/** A discrete space: the number of levels of each dimension (each >= 1). */
export interface DiscreteSpace {
  readonly levels: readonly number[];
}

/** The result of evaluating one genome. */
export interface Evaluation {
  /** Objectives, all minimised. */
  readonly objectives: readonly number[];
  /** 0 when feasible, otherwise how far the point is from feasible (larger is worse). */
  readonly violation: number;
}

/**
 * An ask-and-tell search: the driver asks for a batch, evaluates every genome
 * in it (in any order, in parallel), then tells the results back in batch
 * order. A strategy is deterministic: the same seed and the same results
 * give the same batches. It never proposes a genome twice.
 */
export interface SearchStrategy {
  /** `grid` or `nsga2`. */
  readonly name: string;
  /** The next genomes to evaluate, or null when the search is over. */
  ask(): Genome[] | null;
  /** Results of the last batch, in its order. */
  tell(evaluations: readonly Evaluation[]): void;
}

/** Canonical text key of a genome (for sets and maps). */
export function genomeKey(g: Genome): string {
  return g.join(',');
}
