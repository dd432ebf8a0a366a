// Copyright 2026 the moonwire authors. MIT license.
// The node-wide bound on password checks: at most `maxConcurrent` run at
// once (each scrypt holds 32 MiB or more) and at most `maxWaiting` wait
// their turn; a login beyond that is refused at once ("busy") instead of
// queueing without limit. It sits on crypto/password.ts's process-wide
// limiter, which bounds CPU use but queues without limit: this one bounds
// what an anonymous peer can make one node hold.

/** A place in the gate: wait for `ready`, then `release()` exactly once. */
export interface LoginTicket {
  /** Resolves when the check may run. */
  ready: Promise<void>;
  /** Gives the place up (running or still waiting). */
  release(): void;
}

/** Admission of password checks across every server of a node. */
export class LoginGate {
  readonly maxConcurrent: number;
  readonly maxWaiting: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(maxConcurrent: number, maxWaiting: number) {
    this.maxConcurrent = maxConcurrent;
    this.maxWaiting = maxWaiting;
  }

  /** Checks running now. */
  get running(): number {
    return this.#running;
  }

  /** Checks waiting for a turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A ticket, or `undefined` when every place and the queue are taken. */
  tryEnter(): LoginTicket | undefined {
    let done = false;
    if (this.#running < this.maxConcurrent) {
      this.#running++;
      return {
        ready: Promise.resolve(),
        release: () => {
          if (done) return;
          done = true;
          this.#leave();
        },
      };
    }
    if (this.#waiting.length >= this.maxWaiting) return undefined;
    const { promise, resolve } = Promise.withResolvers<void>();
    let started = false;
    const start = () => {
      started = true;
      resolve();
    };
    this.#waiting.push(start);
    return {
      ready: promise,
      release: () => {
        if (done) return;
        done = true;
        if (started) return this.#leave();
        // Still queued (its session closed first): just leave the queue.
        this.#waiting.splice(this.#waiting.indexOf(start), 1);
      },
    };
  }

  #leave(): void {
    // The finishing check hands its place to the next one in line.
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#running--;
  }
}
