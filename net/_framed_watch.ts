// Copyright 2026 the moonwire authors. MIT license.
// The timers of FramedConnection: the idle timeout (no traffic either way)
// and keepalive (pings, and giving up on a peer that stays silent).
import { TimeoutError } from "./errors.ts";
import type { FramedConnectionKeepAlive } from "./_framed_options.ts";
import { WheelTimer } from "./_timer_wheel.ts";

/** The read side, as the timers see it. */
export interface FramedWatchReader {
  /** Whether the application holds reading back (then silence is fine). */
  readonly held: boolean;
}

/** The send side, as the timers see it. */
export interface FramedWatchSender {
  /** Whether anything was sent since the last call. */
  takeSent(): boolean;
  /** Sends a keepalive ping. */
  sendPing(): void;
}

/** Idle timeout and keepalive of one framed connection. */
export class FramedWatch {
  // The connection's parts themselves, not closures over them: an idle
  // connection holds fewer objects.
  #reader: FramedWatchReader;
  #sender: FramedWatchSender;
  #timedOut: (error: TimeoutError) => void;
  #idleTimeout: number;
  #keepAlive: FramedConnectionKeepAlive | undefined;
  #lastActivity = Date.now();
  // On the shared wheel: an idle connection holds no runtime timer.
  #idleTimer: WheelTimer | undefined;
  #keepAliveTimer: WheelTimer | undefined;
  #receivedSinceTick = false;
  #unanswered = 0;
  #stopped = false;

  /** Starts the timers that are configured (`0`/undefined: off). */
  constructor(
    reader: FramedWatchReader,
    sender: FramedWatchSender,
    timedOut: (error: TimeoutError) => void,
    idleTimeout: number,
    keepAlive: FramedConnectionKeepAlive | undefined,
  ) {
    this.#reader = reader;
    this.#sender = sender;
    this.#timedOut = timedOut;
    this.#idleTimeout = idleTimeout;
    this.#keepAlive = keepAlive;
    if (idleTimeout > 0) {
      this.#idleTimer = new WheelTimer(() => this.#idleTick());
      this.#idleTimer.start(idleTimeout);
    }
    if (keepAlive) {
      this.#keepAliveTimer = new WheelTimer(() => this.#keepAliveTick());
      this.#keepAliveTimer.start(keepAlive.interval);
    }
  }

  /** Whether this side sends its own pings (so it never answers one). */
  get pinging(): boolean {
    return this.#keepAlive !== undefined;
  }

  /** Something arrived from the peer. */
  received(): void {
    this.#receivedSinceTick = true;
    this.#lastActivity = Date.now();
  }

  /** Something is being written to the peer. */
  sending(): void {
    this.#lastActivity = Date.now();
  }

  /** The peer ended: keepalive has nothing left to watch. */
  stopKeepAlive(): void {
    this.#keepAliveTimer?.stop();
    this.#keepAliveTimer = undefined;
  }

  /** The connection is shut: no timer fires again. */
  stop(): void {
    this.#stopped = true;
    this.stopKeepAlive();
    this.#idleTimer?.stop();
    this.#idleTimer = undefined;
  }

  #idleTick(): void {
    if (this.#stopped) return;
    const quiet = Date.now() - this.#lastActivity;
    // A paused reader is the application's choice, not an idle peer.
    if (quiet >= this.#idleTimeout && !this.#reader.held) {
      this.#timedOut(
        new TimeoutError(
          `Cannot keep connection open: idle for ${this.#idleTimeout} ms`,
        ),
      );
      return;
    }
    this.#idleTimer?.start(Math.max(1, this.#idleTimeout - quiet));
  }

  #keepAliveTick(): void {
    const { interval, maxMissed } = this.#keepAlive!;
    // Re-armed first, like an interval: timing out below stops it.
    this.#keepAliveTimer?.start(interval);
    if (this.#receivedSinceTick || this.#reader.held) {
      this.#unanswered = 0;
    } else if (this.#unanswered >= maxMissed) {
      this.#timedOut(
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
    if (!this.#sender.takeSent() || !this.#receivedSinceTick) {
      this.#sender.sendPing();
      // The ping itself does not count as traffic for the next tick.
      this.#sender.takeSent();
    }
    this.#receivedSinceTick = false;
  }
}
