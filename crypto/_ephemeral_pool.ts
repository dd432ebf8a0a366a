// Copyright 2026 the moonwire authors. MIT license.
// Ephemeral X25519 key pairs made ahead of time, so a handshake does not
// generate one (about 35 µs) between receiving a message and answering it.
// A key pair leaves the pool when it is taken and is never put back, so
// each is used by exactly one handshake; the handshake drops it at split.
// Drivers call refillEphemeralKeysSoon() once they have sent a handshake
// message and wait for the peer: the refill runs in that wait.
import { type DhKey, generateDhKey } from "./_noise_functions.ts";

/** Key pairs kept ready: a burst beyond this generates in line. */
export const EPHEMERAL_POOL_SIZE = 4;

const pool: DhKey[] = [];
let refillQueued = false;

/** A fresh ephemeral key pair: from the pool, or generated now. */
export function takeEphemeralKey(): DhKey {
  return pool.pop() ?? generateDhKey();
}

/** Tops the pool up to {@linkcode EPHEMERAL_POOL_SIZE}. */
export function refillEphemeralKeys(): void {
  refillQueued = false;
  while (pool.length < EPHEMERAL_POOL_SIZE) pool.push(generateDhKey());
}

/**
 * Queues one refill for after the current task (a microtask: no timer that
 * could outlive its caller); several calls before it runs queue one.
 */
export function refillEphemeralKeysSoon(): void {
  if (refillQueued || pool.length >= EPHEMERAL_POOL_SIZE) return;
  refillQueued = true;
  queueMicrotask(refillEphemeralKeys);
}

/** How many key pairs are ready (for tests). */
export function pooledEphemeralKeys(): number {
  return pool.length;
}
