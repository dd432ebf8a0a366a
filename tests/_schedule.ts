// Copyright 2026 the moonwire authors. MIT license.
// Schedules for delivery tests: the ways a program can yield between two
// sends (microtask turns, a macrotask, a timer, an unrelated awaited op), so
// every queue-and-flush path is tested across await boundaries and not only
// within one tick. One list for every module's tests.
import { setImmediate } from "node:timers";
import { mulberry32 } from "./_random.ts";

/** One way to wait between two actions, with a name for test output. */
export interface Pause {
  /** Shown in assertion messages, e.g. `"3 microtasks"`. */
  readonly name: string;
  /** Waits this way once. */
  wait(): Promise<void>;
}

/** Waits `turns` microtask turns (0 waits none). */
export async function microtasks(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/** Waits one macrotask (a check-phase callback, after pending I/O). */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits for a timer of `ms` milliseconds. */
export function timer(ms = 1): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits an unrelated async op that completes on a later event-loop turn. */
export async function unrelatedOp(): Promise<void> {
  await Deno.stat(".");
}

/**
 * Every pause a schedule test sweeps: 0 to `maxMicrotasks` microtask turns,
 * one macrotask, a 1 ms timer and an awaited unrelated op.
 */
export function pauses(maxMicrotasks = 32): Pause[] {
  const list: Pause[] = [];
  for (let turns = 0; turns <= maxMicrotasks; turns++) {
    list.push({ name: `${turns} microtasks`, wait: () => microtasks(turns) });
  }
  list.push({ name: "a macrotask", wait: macrotask });
  list.push({ name: "a 1 ms timer", wait: () => timer(1) });
  list.push({ name: "an unrelated awaited op", wait: unrelatedOp });
  return list;
}

/** A seeded random pause for randomised schedule tests. */
export function randomPause(random: () => number): Pause {
  const kind = Math.floor(random() * 6);
  if (kind <= 2) {
    const turns = Math.floor(random() * 33);
    return { name: `${turns} microtasks`, wait: () => microtasks(turns) };
  }
  if (kind === 3) return { name: "a macrotask", wait: macrotask };
  if (kind === 4) {
    const ms = Math.floor(random() * 5);
    return { name: `a ${ms} ms timer`, wait: () => timer(ms) };
  }
  return { name: "an unrelated awaited op", wait: unrelatedOp };
}

/**
 * The seed for a randomised test: `MOONWIRE_SEED` when set (to reproduce a
 * failure), else a fresh one; printed either way so a failing run can be
 * repeated.
 */
export function testSeed(label: string): {
  seed: number;
  random: () => number;
} {
  const fromEnv = Deno.env.get("MOONWIRE_SEED");
  const seed = fromEnv !== undefined
    ? Number(fromEnv) >>> 0
    : (Math.random() * 2 ** 32) >>> 0;
  console.log(`${label}: seed ${seed} (rerun with MOONWIRE_SEED=${seed})`);
  return { seed, random: mulberry32(seed) };
}
