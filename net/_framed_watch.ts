// Copyright 2026 the moonwire authors. MIT license.
// The timers of FramedConnection: the idle timeout (no traffic either way)
// and keepalive (pings, and giving up on a peer that stays silent).
import { TimeoutError } from "./errors.ts";
import type { FramedConnectionKeepAlive } from "./_framed_options.ts";
import { WheelDeadline, WheelTimer } from "./_timer_wheel.ts";

/**
 * Idle timeout and keepalive of one framed connection. The watch is itself
 * the keepalive timer on the shared wheel (firing is a keepalive tick), and
 * the connection extends it with the rest of its callbacks (what the timers
 * see of the connection are the abstract members): an idle connection holds
 * one object for all of them, no closures.
 */
export abstract class FramedWatch extends WheelDeadline {
  #idleTimeout: number;
  // Keepalive settings (interval 0: off), copied from the options.
  #interval = 0;
  #maxMissed = 0;
  // Whole milliseconds of performance.now(): a small integer is stored in
  // the object itself, a Date.now() would be a boxed number.
  #lastActivity = now();
  // On the shared wheel: an idle connection holds no runtime timer.
  #idleTimer: WheelTimer | undefined;
  #receivedSinceTick = false;
  #unanswered = 0;
  #stopped = false;

  /** Takes the settings (`0`/undefined: off); `begin` starts the timers. */
  constructor(
    idleTimeout: number,
    keepAlive: FramedConnectionKeepAlive | undefined,
  ) {
    super();
    this.#idleTimeout = idleTimeout;
    if (keepAlive) {
      this.#interval = keepAlive.interval;
      this.#maxMissed = keepAlive.maxMissed;
    }
  }

  /** Starts the timers that are configured. */
  begin(): void {
    if (this.#idleTimeout > 0) {
      this.#idleTimer = new WheelTimer(() => this.#idleTick());
      this.#idleTimer.start(this.#idleTimeout);
    }
    if (this.#interval > 0) this.start(this.#interval);
  }

  /** Whether the application holds reading back (then silence is fine). */
  abstract get held(): boolean;
  /** Whether anything was sent since the last call. */
  abstract takeSent(): boolean;
  /** Sends a keepalive ping. */
  abstract sendPing(): void;
  /** The idle timeout or keepalive ended the connection. */
  abstract timedOut(error: TimeoutError): void;

  /** Whether this side sends its own pings (so it never answers one). */
  get pinging(): boolean {
    return this.#interval > 0;
  }

  /** Something arrived from the peer. */
  received(): void {
    this.#receivedSinceTick = true;
    this.#lastActivity = now();
  }

  /** Something is being written to the peer. */
  sending(): void {
    this.#lastActivity = now();
  }

  /** The peer ended: keepalive has nothing left to watch. */
  stopKeepAlive(): void {
    this.stop();
  }

  /** The connection is shut: no timer fires again. */
  shutDown(): void {
    this.#stopped = true;
    this.stop();
    this.#idleTimer?.stop();
    this.#idleTimer = undefined;
  }

  /** A keepalive tick; called by the wheel. */
  override fire(): void {
    if (this.#stopped) return;
    const interval = this.#interval;
    const maxMissed = this.#maxMissed;
    // Re-armed first, like an interval: timing out below stops it.
    this.start(interval);
    if (this.#receivedSinceTick || this.held) {
      this.#unanswered = 0;
    } else if (this.#unanswered >= maxMissed) {
      this.timedOut(
        new TimeoutError(
          `Cannot keep connection alive: no traffic from peer for ${
            interval * (maxMissed + 1)
          } ms`,
        ),
      );
      return;
    } else {
      this.#unanswered++;
    }
    if (!this.takeSent() || !this.#receivedSinceTick) {
      this.sendPing();
      // The ping itself does not count as traffic for the next tick.
      this.takeSent();
    }
    this.#receivedSinceTick = false;
  }

  #idleTick(): void {
    if (this.#stopped) return;
    const quiet = now() - this.#lastActivity;
    // A paused reader is the application's choice, not an idle peer.
    if (quiet >= this.#idleTimeout && !this.held) {
      this.timedOut(
        new TimeoutError(
          `Cannot keep connection open: idle for ${this.#idleTimeout} ms`,
        ),
      );
      return;
    }
    this.#idleTimer?.start(Math.max(1, this.#idleTimeout - quiet));
  }
}

function now(): number {
  return Math.floor(performance.now());
}
