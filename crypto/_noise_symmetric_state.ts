// Copyright 2026 the moonwire authors. MIT license.
// The Noise SymmetricState with its handshake CipherState (revision 34,
// §5.1 and §5.2). Cloneable so a handshake message is processed on a copy and
// committed only when the whole message is valid.
import type { NoiseCipher, NoiseHash } from "./_noise_functions.ts";
import { cipherCall } from "./_noise_cipher_calls.ts";

/** SymmetricState: chaining key, handshake hash and the handshake cipher. */
export class SymmetricState {
  readonly cipher: NoiseCipher;
  readonly hash: NoiseHash;
  ck: Uint8Array<ArrayBuffer>;
  h: Uint8Array<ArrayBuffer>;
  // The handshake cipher key, used by the native AEAD directly (no AEAD
  // object and no copy of it per key), so split() can zero its only copy.
  k: Uint8Array<ArrayBuffer> | undefined;
  n = 0;

  constructor(
    cipher: NoiseCipher,
    hash: NoiseHash,
    ck: Uint8Array<ArrayBuffer>,
    h: Uint8Array<ArrayBuffer>,
    k: Uint8Array<ArrayBuffer> | undefined,
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
    this.k = tempK.length === 32 ? tempK : tempK.slice(0, 32);
    if (tempK.length !== 32) tempK.fill(0);
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

  // One AEAD call with k, the handshake hash as associated data. The key
  // array is the holder of a large AES-GCM payload's CryptoKey: k is
  // replaced (never changed) by every MixKey.
  #aead(seal: boolean, data: Uint8Array): Promise<Uint8Array> {
    const key = this.k!;
    return cipherCall(
      seal,
      this.cipher,
      key,
      key,
      this.#nonce(),
      data,
      this.h,
      undefined,
    );
  }

  async encryptAndHash(
    plaintext: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    let ciphertext: Uint8Array<ArrayBuffer>;
    if (this.k === undefined) {
      ciphertext = Uint8Array.from(plaintext);
    } else {
      ciphertext = await this.#aead(true, plaintext) as Uint8Array<
        ArrayBuffer
      >;
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
      plaintext = await this.#aead(false, ciphertext) as Uint8Array<
        ArrayBuffer
      >;
      this.n++;
    }
    this.mixHash(ciphertext);
    return plaintext;
  }

  /**
   * Split(): the two transport keys (initiator→responder first). The
   * chaining key and the handshake cipher key are zeroed: the handshake
   * needs neither again.
   */
  split(): [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>] {
    const [k1, k2] = this.hash.hkdf(this.ck, new Uint8Array(0), 2);
    this.ck.fill(0);
    this.k?.fill(0);
    this.k = undefined;
    const keys: [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>] = [
      k1.slice(0, 32),
      k2.slice(0, 32),
    ];
    k1.fill(0);
    k2.fill(0);
    return keys;
  }
}
