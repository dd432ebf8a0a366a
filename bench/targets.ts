// Copyright 2026 the moonwire authors. MIT license.
// The speed targets in one table: each target's ratio (median and range
// over interleaved rounds of baseline and moonwire in this process) and
// PASS/MISS. A MISS is a finding, not a failure: the exit code is 0 unless
// something crashed.
//
//   deno run --frozen --allow-all --v8-flags=--expose-gc bench/targets.ts [P1 ...]
//
// Arguments, when given, keep only the targets whose title starts with one
// of them (e.g. `P7 Logins`).
//
// Figures from a loaded machine are not meaningful: check the load printed
// first.
import { type RowResult, runTarget, type Target } from "./_targets/_target.ts";
import { makeTlsMaterial } from "./_loopback.ts";
import { framedTarget } from "./_targets/p1_framed.ts";
import { mmTlsTarget } from "./_targets/p4_mm_tls.ts";
import { connectTarget } from "./_targets/p5_connect.ts";
import { memoryTarget } from "./_targets/p7_memory.ts";
import { loginsTarget } from "./_targets/logins.ts";
import { keepTarget } from "./_targets/keep_mm.ts";

const [load1, load5, load15] = Deno.loadavg();
const cpus = navigator.hardwareConcurrency;
console.log(
  `Load average ${load1.toFixed(2)} ${load5.toFixed(2)} ${
    load15.toFixed(2)
  } on ${cpus} CPUs. Figures from a loaded machine are not meaningful; ` +
    "compare only runs on a quiet one.",
);

const tls = makeTlsMaterial();
const makers: (() => Target | Promise<Target>)[] = [
  framedTarget,
  () => mmTlsTarget(tls),
  () => connectTarget(tls),
  memoryTarget,
  loginsTarget,
  keepTarget,
];

const started = performance.now();
const results: RowResult[] = [];
for (const make of makers) {
  const target = await make();
  if (
    Deno.args.length > 0 &&
    !Deno.args.some((prefix) => target.title.startsWith(prefix))
  ) {
    await target.close();
    continue;
  }
  const start = performance.now();
  console.log(`${target.title} (${target.rounds} rounds)`);
  const rows = await runTarget(target);
  for (const { row, figures } of rows) {
    console.log(
      `  ${row.label}: ${
        figures.map((figure) => figure.toFixed(2)).join(", ")
      }${row.unit}`,
    );
  }
  console.log(`  ${((performance.now() - start) / 1000).toFixed(1)} s`);
  results.push(...rows);
}

const lines = results.map(({ row, figures, median, pass, note }) => {
  const digits = row.unit === "×" ? 2 : 1;
  const format = (value: number) => `${value.toFixed(digits)}${row.unit}`;
  return [
    row.label,
    `${format(median)} [${format(Math.min(...figures))}–${
      format(Math.max(...figures))
    }]`,
    `${row.goal.compare} ${format(row.goal.value)}`,
    pass ? "PASS" : "MISS",
    note,
  ];
});
const header = ["target", "median [min–max]", "goal", "result", "note"];
const widths = header.map((title, column) =>
  Math.max(title.length, ...lines.map((line) => line[column].length))
);
const print = (cells: string[]) =>
  console.log(
    cells.map((cell, column) => cell.padEnd(widths[column])).join("  ")
      .trimEnd(),
  );
console.log(
  `\nSummary (${
    ((performance.now() - started) / 1000).toFixed(0)
  } s, load at start ${load1.toFixed(2)}; ratio = moonwire / baseline speed, ` +
    "memory = moonwire / baseline bytes)",
);
print(header);
print(widths.map((width) => "-".repeat(width)));
for (const line of lines) print(line);
const missed = results.filter((result) => !result.pass).length;
console.log(
  missed === 0
    ? "All targets met."
    : `${missed} of ${results.length} targets missed (a report, not a failure).`,
);
