// Copyright 2026 the moonwire authors. MIT license.
// The shape of one summary target and the interleaved rounds that measure
// it. A target measures both sides in the same process; each round runs
// the baseline and moonwire once, in alternating order, so drift in machine
// load or heap state hits both alike.

/** Named figures one side produced in one round (times, rates, bytes). */
export type Sample = Record<string, number>;

/** One line of the summary table. */
export interface Row {
  /** Short name, e.g. `P1 64 B`. */
  label: string;
  /** The figure the round is judged by, from that round's two samples. */
  figure(baseline: Sample, moonwire: Sample): number;
  /** PASS when the median figure is at least (or at most) `value`. */
  goal: { compare: ">=" | "<="; value: number };
  /** Unit printed after figures: `×` for ratios, ` ms` for differences. */
  unit: "×" | " ms";
  /** Extra text for the note column, from every round's samples. */
  note?(baselines: Sample[], moonwires: Sample[]): string;
}

/** A target: its rows, how to measure each side, and cleanup. */
export interface Target {
  /** What is compared with what, for the header line. */
  title: string;
  rows: Row[];
  /** Rounds to run (at least 3). */
  rounds: number;
  /** Whether one untimed round of both sides runs first (JIT warmup). */
  warmup: boolean;
  measure(side: "baseline" | "moonwire"): Promise<Sample>;
  /** Lines printed after the rounds (figures reported without a target). */
  report?(): Promise<string[]>;
  close(): Promise<void>;
}

/** The figures of one row over all rounds. */
export interface RowResult {
  row: Row;
  figures: number[];
  median: number;
  pass: boolean;
  note: string;
}

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median over `samples` of `key`, in milliseconds, as `amount` per second. */
export function perSecond(
  amount: number,
  samples: Sample[],
  key: string,
): number {
  return amount / median(samples.map((sample) => sample[key])) * 1000;
}

/** The `q`-quantile (0–1) of `values`, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Runs `target`'s rounds, baseline first in even rounds, and judges rows. */
export async function runTarget(target: Target): Promise<RowResult[]> {
  const baselines: Sample[] = [];
  const moonwires: Sample[] = [];
  try {
    if (target.warmup) {
      await target.measure("baseline");
      await target.measure("moonwire");
    }
    for (let round = 0; round < target.rounds; round++) {
      if (round % 2 === 0) {
        baselines.push(await target.measure("baseline"));
        moonwires.push(await target.measure("moonwire"));
      } else {
        moonwires.push(await target.measure("moonwire"));
        baselines.push(await target.measure("baseline"));
      }
    }
    for (const line of (await target.report?.()) ?? []) console.log(line);
  } finally {
    await target.close();
  }
  return target.rows.map((row) => {
    const figures = baselines.map((baseline, i) =>
      row.figure(baseline, moonwires[i])
    );
    const middle = median(figures);
    return {
      row,
      figures,
      median: middle,
      pass: row.goal.compare === ">="
        ? middle >= row.goal.value
        : middle <= row.goal.value,
      note: row.note?.(baselines, moonwires) ?? "",
    };
  });
}

/** Milliseconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A ratio row: `moonwire[key] / baseline[key]` style figure. */
export function ratioRow(
  label: string,
  figure: (baseline: Sample, moonwire: Sample) => number,
  goal: number,
  compare: ">=" | "<=" = ">=",
  note?: Row["note"],
): Row {
  return { label, figure, goal: { compare, value: goal }, unit: "×", note };
}
