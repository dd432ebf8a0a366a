// Copyright 2026 the moonwire authors. MIT license.
// Internal access to NoiseCipherState for tests (not exported from mod.ts):
// setting the counter near 2^64 is the only way to test nonce exhaustion.
// The class fills _noise_cipher_internals.ts; this file only imports, so
// there is no import cycle with noise_cipher_state.ts.
import type { NoiseCipherState } from "./noise_cipher_state.ts";
import { noiseCipherStateInternals } from "./_noise_cipher_internals.ts";

/**
 * Makes every operation of a cipher state fail with a TypeError naming
 * `reason`: the unused direction of a one-way pattern.
 *
 * @param state The cipher state.
 * @param reason Why it cannot be used.
 */
export function disableNoiseCipherState(
  state: NoiseCipherState,
  reason: string,
): void {
  noiseCipherStateInternals.disable(state, reason);
}

/**
 * Moves the keys of two new cipher states of one cipher (split()'s two
 * directions) into one buffer the two share, zeroing the copies they held:
 * one key buffer per connection end instead of two. Each state still only
 * uses, rekeys and zeroes its own 32 bytes.
 *
 * @param first The state whose key takes bytes 0-31.
 * @param second The state whose key takes bytes 32-63.
 */
export function shareNoiseKeyBuffer(
  first: NoiseCipherState,
  second: NoiseCipherState,
): void {
  noiseCipherStateInternals.pair(first, second);
}

/**
 * Sets the next counter of a cipher state. Test-only.
 *
 * @param state The cipher state.
 * @param nonce The counter, 0 to 2^64-1.
 */
export function setNoiseNonceForTesting(
  state: NoiseCipherState,
  nonce: bigint,
): void {
  noiseCipherStateInternals.setNonce(state, nonce);
}

/**
 * A view of the key bytes a cipher state holds (not a copy), so tests can see them
 * zeroed by `destroy()`. Test-only.
 *
 * @param state The cipher state.
 * @returns The state's own key bytes.
 */
export function noiseCipherKeyForTesting(
  state: NoiseCipherState,
): Uint8Array<ArrayBuffer> {
  return noiseCipherStateInternals.key(state);
}
