// Copyright 2026 the moonwire authors. MIT license.
// The slot through which NoiseCipherState hands its private fields to
// _noise_cipher_access.ts. It imports nothing, so noise_cipher_state.ts
// (which fills it) and _noise_cipher_access.ts (which uses it) import it
// one way and never each other in a cycle. States are typed `object` here;
// noise_cipher_state.ts brand-checks them.

/** Filled in by noise_cipher_state.ts when that module loads. */
export const noiseCipherStateInternals: {
  setNonce(state: object, nonce: bigint): void;
  disable(state: object, reason: string): void;
  key(state: object): Uint8Array<ArrayBuffer>;
  pair(first: object, second: object): void;
} = {
  setNonce() {
    throw new Error("noise_cipher_state.ts is not loaded");
  },
  disable() {
    throw new Error("noise_cipher_state.ts is not loaded");
  },
  key() {
    throw new Error("noise_cipher_state.ts is not loaded");
  },
  pair() {
    throw new Error("noise_cipher_state.ts is not loaded");
  },
};
