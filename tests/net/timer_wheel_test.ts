// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { WheelTimer } from "../../net/_timer_wheel.ts";

Deno.test("WheelTimer fires each armed timer once, in deadline order, never early", async () => {
  const fired: number[] = [];
  const done = Promise.withResolvers<void>();
  const delays = [60, 20, 40, 20, 0, 80];
  const started = performance.now();
  const late: string[] = [];
  const timers = delays.map((delay, i) =>
    new WheelTimer(() => {
      const elapsed = performance.now() - started;
      // The runtime timer may wake up to 1 ms before its deadline.
      if (elapsed < delay - 1) late.push(`${i} fired at ${elapsed} ms`);
      fired.push(i);
      if (fired.length === delays.length) done.resolve();
    })
  );
  timers.forEach((timer, i) => timer.start(delays[i]));
  assert.ok(timers.every((timer) => timer.armed));
  await done.promise;
  assert.deepEqual(late, []);
  // Equal deadlines fire in the order they were armed.
  assert.deepEqual(fired.slice(0, 1), [4]);
  assert.deepEqual(new Set(fired.slice(1, 3)), new Set([1, 3]));
  assert.deepEqual(fired.slice(3), [2, 0, 5]);
  assert.ok(timers.every((timer) => !timer.armed));
});

Deno.test("WheelTimer stop and re-arm: stopped timers never fire, re-armed ones fire at the new deadline", async () => {
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  const stopped = new WheelTimer(() => fired.push("stopped"));
  const moved = new WheelTimer(() => fired.push("moved"));
  const last = new WheelTimer(() => {
    fired.push("last");
    done.resolve();
  });
  stopped.start(10);
  moved.start(10);
  last.start(60);
  stopped.stop();
  stopped.stop(); // idempotent
  moved.start(30); // later than before: fires once, after 30 ms
  assert.equal(stopped.armed, false);
  await done.promise;
  assert.deepEqual(fired, ["moved", "last"]);
});

Deno.test("WheelTimer callbacks may re-arm themselves and stop timers due in the same wakeup", async () => {
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  let ticks = 0;
  // Both due at once; whichever fires first stops the other.
  const a: WheelTimer = new WheelTimer(() => {
    fired.push("a");
    b.stop();
  });
  const b: WheelTimer = new WheelTimer(() => {
    fired.push("b");
    a.stop();
  });
  const repeating: WheelTimer = new WheelTimer(() => {
    fired.push(`tick ${++ticks}`);
    if (ticks < 3) repeating.start(15);
    else done.resolve();
  });
  a.start(20);
  b.start(20);
  repeating.start(15);
  await done.promise;
  assert.equal(fired.filter((f) => f === "a" || f === "b").length, 1);
  assert.deepEqual(
    fired.filter((f) => f.startsWith("tick")),
    ["tick 1", "tick 2", "tick 3"],
  );
  assert.equal(a.armed || b.armed || repeating.armed, false);
});

Deno.test("WheelTimer keeps many timers on one runtime timer: each fires once, never early", async () => {
  const count = 2000;
  const fired: number[] = [];
  const early: string[] = [];
  const done = Promise.withResolvers<void>();
  // Deterministic shuffle of deadlines 0..99 ms.
  const delays = Array.from({ length: count }, (_, i) => (i * 37) % 100);
  const startedAt: number[] = [];
  const timers = delays.map((delay, i) =>
    new WheelTimer(() => {
      const elapsed = performance.now() - startedAt[i];
      if (elapsed < delay - 1) early.push(`${i} at ${elapsed} ms`);
      fired.push(i);
      if (fired.length === count / 2) done.resolve();
    })
  );
  timers.forEach((timer, i) => {
    startedAt[i] = performance.now();
    timer.start(delays[i]);
  });
  // Stop every odd one: half remain.
  timers.forEach((timer, i) => i % 2 === 1 && timer.stop());
  await done.promise;
  assert.deepEqual(early, []);
  assert.deepEqual(
    fired.toSorted((x, y) => x - y),
    Array.from({ length: count / 2 }, (_, i) => 2 * i),
  );
});
