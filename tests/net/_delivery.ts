// Copyright 2026 the moonwire authors. MIT license.
// The bound of the delivery (schedule) tests: what a send accepted must
// arrive within it, or the test fails naming what was stranded. Generous,
// so a loaded machine passes; a stranded send never arrives at all. Also
// the sweep that sends, pauses and sends again in both directions.
import { type Pause, pauses, randomPause, testSeed } from "../_schedule.ts";

/** How long an accepted send may take to arrive, in milliseconds. */
export const DELIVERY_BOUND_MS = 3000;

/**
 * Resolves as `promise` does, or rejects with `what` once `ms` passed.
 *
 * @param promise What must settle.
 * @param what Named in the error, e.g. `"frame b after 3 microtasks"`.
 * @param ms The bound.
 * @returns The promise's value.
 */
export async function within<T>(
  promise: Promise<T>,
  what: string,
  ms = DELIVERY_BOUND_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: nothing within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Copies bytes until end of stream, then half-closes the destination. */
export async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(4096);
  while (true) {
    const n = await from.read(buffer);
    if (n === null) break;
    await to.write(buffer.subarray(0, n));
  }
  await to.closeWrite();
}

/**
 * Collects a byte stream as text, for the stream delivery tests: `until()`
 * waits (within the bound) until exactly the expected text has arrived.
 */
export class Inbox {
  #decoder = new TextDecoder();
  #text = "";
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  /** What arrived so far. */
  get text(): string {
    return this.#text;
  }

  /** How the stream ended: "open", "end" or "error: <message>". */
  get state(): string {
    if (this.#error) return `error: ${this.#error.message}`;
    return this.#ended ? "end" : "open";
  }

  /** Adds a received chunk. */
  push(chunk: Uint8Array): void {
    this.#text += this.#decoder.decode(chunk, { stream: true });
    this.#notify();
  }

  /** Marks the end of the stream (with the error, if it failed). */
  end(error?: Error): void {
    this.#ended = true;
    this.#error ??= error;
    this.#notify();
  }

  /** Waits until `expected` has arrived; fails on more, an end, or time. */
  async until(expected: string, what: string): Promise<void> {
    await within(
      this.#waitFor(() => this.#text.length >= expected.length || this.#ended),
      what,
    );
    if (this.#text !== expected) {
      throw new Error(
        `${what}: got ${JSON.stringify(this.#text)} (${this.state}), want ${
          JSON.stringify(expected)
        }`,
      );
    }
  }

  /** Waits for a clean end of stream after exactly `expected`. */
  async untilEnd(expected: string, what: string): Promise<void> {
    await within(this.#waitFor(() => this.#ended), `${what}: end`);
    if (this.#text !== expected || this.#error) {
      throw new Error(
        `${what}: got ${JSON.stringify(this.#text)} (${this.state}), want ${
          JSON.stringify(expected)
        } then the end`,
      );
    }
  }

  async #waitFor(done: () => boolean): Promise<void> {
    while (!done()) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** A few of `pauses()`, for paths where each round trip costs more (TLS). */
export function fewerPauses(): Pause[] {
  return pauses().filter((_, i, all) =>
    i <= 3 || i === 8 || i === 32 || i >= all.length - 3
  );
}

/** How a sweep sends on one end and checks what arrived at the other. */
export interface SweepIo<W> {
  /** Sends `text` from end `from` (0 the client, 1 the server). */
  send(writer: W, from: 0 | 1, text: string): Promise<void> | void;
  /** Waits until end `to` got `text` after what it got before. */
  expect(to: 0 | 1, text: string, what: string): Promise<void>;
}

/**
 * The schedule sweep: for every writer and pause, send, pause, send from
 * the client, then the same from the server; each time the other end must
 * get both pieces, in order, within the bound.
 */
export async function sweepBothWays<W>(
  writers: Record<string, W>,
  list: Pause[],
  io: SweepIo<W>,
): Promise<void> {
  for (const [name, writer] of Object.entries(writers)) {
    for (const pause of list) {
      for (const [from, to] of [[0, 1], [1, 0]] as const) {
        const what = `${name}, ${pause.name}, ${
          from === 0 ? "client→server" : "server→client"
        }`;
        const a = `a(${name}/${pause.name});`;
        const b = `b(${name}/${pause.name});`;
        await io.send(writer, from, a);
        await pause.wait();
        await io.send(writer, from, b);
        await io.expect(to, a + b, what);
      }
    }
  }
}

/**
 * The seeded random schedule: `steps` sends from a random end with a
 * random writer, each followed by a random pause; then each end must have
 * got exactly what the other sent, in order.
 */
export async function randomSchedule<W>(
  label: string,
  writers: Record<string, W>,
  io: SweepIo<W>,
  steps = 300,
): Promise<void> {
  const { random } = testSeed(label);
  const names = Object.keys(writers);
  const sent = ["", ""];
  for (let step = 0; step < steps; step++) {
    const from = random() < 0.5 ? 0 : 1;
    const name = names[Math.floor(random() * names.length)];
    const text = `${step}(${name});`;
    await io.send(writers[name], from, text);
    sent[from] += text;
    await randomPause(random).wait();
  }
  await io.expect(1, sent[0], `${label}: what the client sent`);
  await io.expect(0, sent[1], `${label}: what the server sent`);
}
