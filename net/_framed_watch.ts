// Copyright 2026 the moonwire authors. MIT license.
// The timers of FramedConnection: the idle timeout (no traffic either way)
// and keepalive (pings, and giving up on a peer that stays silent).
import { TimeoutError } from "./errors.ts";
import type { FramedConnectionKeepAlive } from "./_framed_options.ts";

/** What the timers need from their connection. */
export interface FramedWatchHooks {
  /** Whether the application holds reading back (then silence is fine). */
  held(): boolean;
  /** Whether anything was sent since the last call. */
  takeSent(): boolean;
  /** Sends a keepalive ping. */
  ping(): void;
  /** Gives up on the connection. */
  timedOut(error: TimeoutError): void;
}

/** Idle timeout and keepalive of one framed connection. */
export class FramedWatch {
  #hooks: FramedWatchHooks;
  #idleTimeout: number;
  #keepAlive: FramedConnectionKeepAlive | undefined;
  #lastActivity = Date.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #receivedSinceTick = false;
  #unanswered = 0;
  #stopped = false;

  /** Starts the timers that are configured (`0`/undefined: off). */
  constructor(
    hooks: FramedWatchHooks,
    idleTimeout: number,
    keepAlive: FramedConnectionKeepAlive | undefined,
  ) {
    this.#hooks = hooks;
    this.#idleTimeout = idleTimeout;
    this.#keepAlive = keepAlive;
    if (idleTimeout > 0) this.#armIdle(idleTimeout);
    if (keepAlive) {
      this.#keepAliveTimer = setInterval(
        () => this.#keepAliveTick(),
        keepAlive.interval,
      );
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
    if (this.#keepAliveTimer !== undefined) {
      clearInterval(this.#keepAliveTimer);
      this.#keepAliveTimer = undefined;
    }
  }

  /** The connection is shut: no timer fires again. */
  stop(): void {
    this.#stopped = true;
    this.stopKeepAlive();
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  #armIdle(delay: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#stopped) return;
      const quiet = Date.now() - this.#lastActivity;
      // A paused reader is the application's choice, not an idle peer.
      if (quiet >= this.#idleTimeout && !this.#hooks.held()) {
        this.#hooks.timedOut(
          new TimeoutError(
            `Cannot keep connection open: idle for ${this.#idleTimeout} ms`,
          ),
        );
        return;
      }
      this.#armIdle(Math.max(1, this.#idleTimeout - quiet));
    }, delay);
  }

  #keepAliveTick(): void {
    const { interval, maxMissed } = this.#keepAlive!;
    if (this.#receivedSinceTick || this.#hooks.held()) {
      this.#unanswered = 0;
    } else if (this.#unanswered >= maxMissed) {
      this.#hooks.timedOut(
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
    if (!this.#hooks.takeSent() || !this.#receivedSinceTick) {
      this.#hooks.ping();
      // The ping itself does not count as traffic for the next tick.
      this.#hooks.takeSent();
    }
    this.#receivedSinceTick = false;
  }
}
