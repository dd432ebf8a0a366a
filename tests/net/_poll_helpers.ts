// Copyright 2026 the moonwire authors. MIT license.
// Polling helpers for the polling-API tests.
import { concat } from "../_bytes.ts";

/** Calls `fn` every few ms until it returns a value that is not null/empty. */
export async function pollFor<T>(
  fn: () => T | null,
  timeout = 5000,
): Promise<T> {
  const deadline = performance.now() + timeout;
  while (true) {
    const value = fn();
    if (
      value !== null &&
      !(value instanceof Uint8Array && value.length === 0)
    ) return value;
    if (performance.now() > deadline) {
      throw new Error(`Nothing arrived within ${timeout} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Reads from a polling Tcp until `length` bytes arrived or it ends. */
export async function readExactly(
  tcp: { read(n: number): Uint8Array | null },
  length: number,
  timeout = 5000,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  const deadline = performance.now() + timeout;
  while (got < length) {
    const chunk = tcp.read(length - got);
    if (chunk === null) break;
    out.set(chunk, got);
    got += chunk.length;
    if (chunk.length === 0) {
      if (performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return out.subarray(0, got);
}

/** Reads until the Tcp reports end of stream (null). */
export async function readToEnd(
  tcp: { read(n: number): Uint8Array | null },
  timeout = 5000,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const deadline = performance.now() + timeout;
  while (true) {
    const chunk = tcp.read(65536);
    if (chunk === null) break;
    if (chunk.length === 0) {
      if (performance.now() > deadline) throw new Error("No end of stream");
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    parts.push(chunk);
  }
  return concat(parts);
}
