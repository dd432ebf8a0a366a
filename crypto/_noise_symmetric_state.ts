// Copyright 2026 the moonwire authors. MIT license.
// The Noise SymmetricState with its handshake CipherState (revision 34,
// §5.1 and §5.2). Cloneable so a handshake message is processed on a copy and
// committed only when the whole message is valid.
import { type Aead, createAead } from "./aead.ts";
import type { NoiseCipher, NoiseHash } from "./_noise_functions.ts";

/** Backend for handshake AEAD calls: native measured fastest at 0–64 B. */
export const HANDSHAKE_BACKEND = "native";

/** A cipher key with its AEAD, created once per key. */
export interface KeyedAead {
  readonly key: Uint8Array<ArrayBuffer>;
  readonly aead: Aead;
}

/** Creates the AEAD for a 32-byte Noise cipher key. */
export function keyedAead(
  cipher: NoiseCipher,
  key: Uint8Array<ArrayBuffer>,
): KeyedAead {
  return {
    key,
    aead: createAead(cipher.algorithm, key, { backend: HANDSHAKE_BACKEND }),
  };
}

/** SymmetricState: chaining key, handshake hash and the handshake cipher. */
export class SymmetricState {
  readonly cipher: NoiseCipher;
  readonly hash: NoiseHash;
  ck: Uint8Array<ArrayBuffer>;
  h: Uint8Array<ArrayBuffer>;
  k: KeyedAead | undefined;
  n = 0;

  constructor(
    cipher: NoiseCipher,
    hash: NoiseHash,
    ck: Uint8Array<ArrayBuffer>,
    h: Uint8Array<ArrayBuffer>,
    k: KeyedAead | undefined,
    n: number,
  ) {
    this.cipher = cipher;
    this.hash = hash;
    this.ck = ck;
    this.h = h;
    this.k = k;
    this.n = n;
  }

  /** InitializeSymmetric(protocol_name). */
  static initialize(
    protocolName: string,
    cipher: NoiseCipher,
    hash: NoiseHash,
  ): SymmetricState {
    const name = new TextEncoder().encode(protocolName);
    let h: Uint8Array<ArrayBuffer>;
    if (name.length <= hash.hashLen) {
      h = new Uint8Array(hash.hashLen);
      h.set(name);
    } else {
      h = hash.hash(name);
    }
    return new SymmetricState(cipher, hash, h.slice(), h, undefined, 0);
  }

  /** A copy sharing nothing mutable (keys are replaced, never mutated). */
  clone(): SymmetricState {
    return new SymmetricState(
      this.cipher,
      this.hash,
      this.ck,
      this.h,
      this.k,
      this.n,
    );
  }

  /** Whether a handshake cipher key is set. */
  get hasKey(): boolean {
    return this.k !== undefined;
  }

  #setKey(tempK: Uint8Array<ArrayBuffer>): void {
    // HASHLEN 64: the cipher key is the first 32 bytes (§5.2).
    const key = tempK.length === 32 ? tempK : tempK.slice(0, 32);
    this.k = keyedAead(this.cipher, key);
    this.n = 0;
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = this.hash.hkdf(this.ck, inputKeyMaterial, 2);
    this.ck = ck;
    this.#setKey(tempK);
  }

  mixHash(data: Uint8Array): void {
    this.h = this.hash.hashTwo(this.h, data);
  }

  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, tempK] = this.hash.hkdf(this.ck, inputKeyMaterial, 3);
    this.ck = ck;
    this.mixHash(tempH);
    this.#setKey(tempK);
  }

  #nonce(): Uint8Array<ArrayBuffer> {
    const nonce = new Uint8Array(12);
    // Handshake counters stay tiny: a pattern has at most a few messages.
    this.cipher.writeNonce(nonce, 0, this.n);
    return nonce;
  }

  async encryptAndHash(
    plaintext: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    let ciphertext: Uint8Array<ArrayBuffer>;
    if (this.k === undefined) {
      ciphertext = Uint8Array.from(plaintext);
    } else {
      ciphertext = await this.k.aead.seal(this.#nonce(), plaintext, this.h);
      this.n++;
    }
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /** Rejects with the AEAD's AuthenticationError on a bad tag. */
  async decryptAndHash(
    ciphertext: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    let plaintext: Uint8Array<ArrayBuffer>;
    if (this.k === undefined) {
      plaintext = Uint8Array.from(ciphertext);
    } else {
      plaintext = await this.k.aead.open(this.#nonce(), ciphertext, this.h);
      this.n++;
    }
    this.mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): the two transport keys (initiator→responder first). */
  split(): [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>] {
    const [k1, k2] = this.hash.hkdf(this.ck, new Uint8Array(0), 2);
    return [k1.slice(0, 32), k2.slice(0, 32)];
  }
}
