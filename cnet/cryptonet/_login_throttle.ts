// Copyright 2026 the moonwire authors. MIT license.
// Login throttling of one hosted server, beside the per-socket limit: per
// user name (so opening a new session per guess gains nothing) and
// server-wide (so spreading guesses over many names gains little), with
// bounded memory. Sans I/O: the caller passes the clock reading.
//
// Per name: one password check at a time; after the n-th consecutive
// failure the next check waits min(maxDelay, baseDelay * 2^(n-1)). Guesses
// that arrive meanwhile are refused at once, without scrypt and without
// counting as failures. A success, or `forgetAfter` ms without a failure,
// forgets the name. At most `maxNames` names are tracked (least recently
// used dropped first; evicting one takes that many failed checks, which the
// server-wide bucket paces).
// Server-wide: a token bucket of `checksPerSecond` checks per second (burst
// of the same size) for every password check, so scrypt work is bounded.

/** Limits of a {@linkcode LoginThrottle}. */
export interface LoginThrottleLimits {
  /** Delay after a name's first failure, doubling per failure (ms). */
  baseDelay: number;
  /** Cap of the per-name delay (ms). */
  maxDelay: number;
  /** A name without a failure for this long is forgotten (ms). */
  forgetAfter: number;
  /** Names tracked at most. */
  maxNames: number;
  /** Server-wide password checks per second (and burst). */
  checksPerSecond: number;
}

/** Defaults besides `baseDelay` (the host's `loginDelay`). */
export const LOGIN_THROTTLE_DEFAULTS = {
  maxDelay: 60_000,
  forgetAfter: 15 * 60_000,
  maxNames: 10_000,
  checksPerSecond: 20,
} as const;

interface NameState {
  failures: number;
  allowedAt: number;
  lastFailure: number;
  checking: boolean;
}

/** Per-name and server-wide throttle of password checks. */
export class LoginThrottle {
  readonly limits: LoginThrottleLimits;
  readonly #names = new Map<string, NameState>();
  #tokens: number;
  #refilledAt = -Infinity;

  constructor(limits: LoginThrottleLimits) {
    this.limits = limits;
    this.#tokens = limits.checksPerSecond;
  }

  /** Names currently tracked (bounded by `maxNames`). */
  get trackedNames(): number {
    return this.#names.size;
  }

  /**
   * Whether a password check for `username` may run now. When it returns
   * true the check is reserved: call {@linkcode LoginThrottle.end} with its
   * outcome.
   */
  begin(username: string, now: number): boolean {
    let state = this.#names.get(username);
    if (
      state !== undefined && !state.checking &&
      now - state.lastFailure >= this.limits.forgetAfter
    ) {
      this.#names.delete(username);
      state = undefined;
    }
    if (state !== undefined && (state.checking || now < state.allowedAt)) {
      return false;
    }
    if (!this.#takeToken(now)) return false;
    if (state === undefined) {
      state = { failures: 0, allowedAt: 0, lastFailure: now, checking: true };
    } else {
      state.checking = true;
      this.#names.delete(username); // re-inserted below: most recently used
    }
    this.#names.set(username, state);
    this.#evict();
    return true;
  }

  /** Records the outcome of a check that `begin` allowed. */
  end(username: string, ok: boolean, now: number): void {
    const state = this.#names.get(username);
    if (ok) {
      this.#names.delete(username);
      return;
    }
    const failures = (state?.failures ?? 0) + 1;
    const delay = Math.min(
      this.limits.maxDelay,
      this.limits.baseDelay * 2 ** (failures - 1),
    );
    const next: NameState = {
      failures,
      allowedAt: now + delay,
      lastFailure: now,
      checking: false,
    };
    this.#names.delete(username);
    this.#names.set(username, next);
    this.#evict();
  }

  #takeToken(now: number): boolean {
    const { checksPerSecond } = this.limits;
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(
      checksPerSecond,
      this.#tokens + elapsed * checksPerSecond / 1000,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens--;
    return true;
  }

  #evict(): void {
    while (this.#names.size > this.limits.maxNames) {
      const oldest = this.#names.keys().next().value!;
      this.#names.delete(oldest);
    }
  }
}
