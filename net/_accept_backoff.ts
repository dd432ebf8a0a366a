// Copyright 2026 the moonwire authors. MIT license.
// The pause servers take after a failed accept (e.g. out of file
// descriptors under a connection flood) before accepting again, instead of
// stopping for good or spinning.

/** Milliseconds to wait before the next accept. */
export const ACCEPT_RETRY_MS = 100;

/** A pause that `wake()` ends early (on close); its timer is always cleared. */
export interface AcceptBackOff {
  done: Promise<void>;
  wake(): void;
}

/** Starts a pause of {@linkcode ACCEPT_RETRY_MS}. */
export function acceptBackOff(): AcceptBackOff {
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = setTimeout(resolve, ACCEPT_RETRY_MS);
  return {
    done: promise,
    wake() {
      clearTimeout(timer);
      resolve();
    },
  };
}
