// Copyright 2026 the moonwire authors. MIT license.
// One runtime timer for the idle, keepalive and trim deadlines of every
// connection: a connection holds a small WheelTimer (its deadline and place
// in a shared min-heap) instead of a runtime timer with its own op and
// closure, which is most of what an idle connection costs.

// Deadlines closer together than this fire on one wakeup (never early).
const RESOLUTION_MS = 10;

// The index of a timer taken off the heap to fire in this wakeup.
const FIRING = -2;
// The runtime timer may run up to a millisecond before its deadline.
const EARLY_MS = 1;

const heap: WheelDeadline[] = [];
let wakeup: ReturnType<typeof setTimeout> | undefined;
let wakeupAt = Infinity;

/**
 * A one-shot deadline on the shared wheel; `start` again to re-arm. A class
 * extends it with what `fire` does (then an object that is its own timer
 * needs no closure and no callback field); WheelTimer takes a callback.
 */
export abstract class WheelDeadline {
  /** Due time (`performance.now()` ms, whole); internal to the wheel. */
  due = 0;
  /** Place in the heap, -1 when not armed, -2 when about to fire. */
  index = -1;

  /** Whether the timer is armed. */
  get armed(): boolean {
    return this.index >= 0;
  }

  /**
   * Arms the timer to fire after `delay` ms (re-arms it when armed).
   *
   * @param delay Milliseconds from now.
   */
  start(delay: number): void {
    if (this.index >= 0) remove(this);
    // Rounded up to a whole millisecond (never early): a small integer is
    // stored in the timer itself, a fraction would be a boxed number.
    this.due = Math.ceil(performance.now() + delay);
    this.index = heap.length;
    heap.push(this);
    siftUp(this.index);
    rearm();
  }

  /** Disarms the timer (nothing happens when it is not armed). */
  stop(): void {
    if (this.index === FIRING) this.index = -1;
    if (this.index < 0) return;
    remove(this);
    rearm();
  }

  /** What the deadline does when it comes due; called by the wheel. */
  abstract fire(): void;
}

/** A deadline on the shared wheel that runs a callback. */
export class WheelTimer extends WheelDeadline {
  #callback: () => void;

  /** @param callback Runs once each time the timer comes due. */
  constructor(callback: () => void) {
    super();
    this.#callback = callback;
  }

  /** Runs the callback; called by the wheel. */
  fire(): void {
    this.#callback();
  }
}

// The runtime timer follows the earliest deadline; it is cleared when no
// timer is armed, so nothing outlives the connections that use the wheel.
function rearm(): void {
  if (heap.length === 0) {
    if (wakeup !== undefined) clearTimeout(wakeup);
    wakeup = undefined;
    wakeupAt = Infinity;
    return;
  }
  const due = heap[0].due;
  // An earlier wakeup already covers it (and then re-arms for what is left).
  if (wakeup !== undefined && wakeupAt <= due) return;
  if (wakeup !== undefined) clearTimeout(wakeup);
  const delay = Math.max(RESOLUTION_MS, Math.ceil(due - performance.now()));
  wakeupAt = performance.now() + delay;
  wakeup = setTimeout(tick, delay);
}

function tick(): void {
  wakeup = undefined;
  wakeupAt = Infinity;
  const now = performance.now();
  // Take every timer that is due first: a callback may re-arm or stop
  // any timer, one of these included (then it does not fire now).
  const due: WheelDeadline[] = [];
  while (heap.length > 0 && heap[0].due <= now + EARLY_MS) {
    const timer = heap[0];
    remove(timer);
    timer.index = FIRING;
    due.push(timer);
  }
  for (const timer of due) {
    if (timer.index !== FIRING) continue;
    timer.index = -1;
    try {
      timer.fire();
    } catch (error) {
      reportError(error);
    }
  }
  rearm();
}

function remove(timer: WheelDeadline): void {
  const index = timer.index;
  const last = heap.pop()!;
  timer.index = -1;
  if (last === timer) return;
  heap[index] = last;
  last.index = index;
  siftUp(index);
  siftDown(last.index);
}

function siftUp(index: number): void {
  const timer = heap[index];
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (heap[parent].due <= timer.due) break;
    heap[index] = heap[parent];
    heap[index].index = index;
    index = parent;
  }
  heap[index] = timer;
  timer.index = index;
}

function siftDown(index: number): void {
  const timer = heap[index];
  for (;;) {
    const left = 2 * index + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right].due < heap[left].due
      ? right
      : left;
    if (heap[child].due >= timer.due) break;
    heap[index] = heap[child];
    heap[index].index = index;
    index = child;
  }
  heap[index] = timer;
  timer.index = index;
}
