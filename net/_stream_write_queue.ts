// Copyright 2026 the moonwire authors. MIT license.
// The write side of StreamSocket: a bounded queue in bytes (writes wait or
// tryWrite takes what fits), one pump that writes everything queued while
// the last write was in flight as one buffer, drain waiters, and the hold
// that lets a STARTTLS upgrade flush the plain-text part first.
import { ConnectionClosedError } from "./errors.ts";
import type { StreamConn } from "./_stream_conn.ts";
import { messageOf } from "./_error_context.ts";
import type { StreamSocketStats } from "./_stream_options.ts";

// Batches up to this size are copied into one buffer for a single write.
const COALESCE_LIMIT = 1024 * 1024;
// Chunks at least this big are written without copying.
const DIRECT_WRITE_SIZE = 32 * 1024;

// What an idle queue holds instead of its arrays (never written to).
const NO_BLOCKED: Blocked[] = [];
const NO_CHUNKS: Uint8Array[] = [];
const NO_DONE: (PromiseWithResolvers<void> | undefined)[] = [];

// Flags of the queue's state.
const W_WRITING = 1;
const W_SCHEDULED = 2;
const W_HELD = 4; // a TLS upgrade holds new writes back
const W_CLOSED = 8;

interface Blocked {
  data: Uint8Array;
  done: PromiseWithResolvers<void>;
}

/**
 * What the write queue needs from its socket (`owner`): one object shared
 * by every socket, so a socket holds no callbacks object of its own.
 */
export interface StreamWriteTarget<Owner> {
  /** The connection to write to now (it changes with a TLS upgrade). */
  conn(owner: Owner): StreamConn;
  /** A write failed: the socket fails (and calls `shutDown`). */
  failed(owner: Owner, error: ConnectionClosedError): void;
}

/** The bounded, coalescing write queue of a StreamSocket. */
export class StreamWriteQueue<Owner> {
  // Boolean state, packed in one number (the W_* flags).
  #flags = 0;
  #target: StreamWriteTarget<Owner>;
  #owner: Owner;
  #stats: StreamSocketStats;
  #maxQueued: number;
  // Chunks accepted but not handed to the socket yet.
  #queue: Uint8Array[] = NO_CHUNKS;
  #queueDone: (PromiseWithResolvers<void> | undefined)[] = NO_DONE;
  // Reused while writes keep coming; dropped when the pump goes idle.
  #spareQueue: Uint8Array[] | undefined;
  #spareDone: (PromiseWithResolvers<void> | undefined)[] | undefined;
  #blocked: Blocked[] = NO_BLOCKED;
  #pending = 0;
  #writeTask: Promise<void> | undefined;
  #drainWaiters: PromiseWithResolvers<void>[] | undefined;

  constructor(
    target: StreamWriteTarget<Owner>,
    owner: Owner,
    stats: StreamSocketStats,
    maxQueued: number,
  ) {
    this.#target = target;
    this.#owner = owner;
    this.#stats = stats;
    this.#maxQueued = maxQueued;
  }

  // Whether any of the flags in `flag` is set.
  #is(flag: number): boolean {
    return (this.#flags & flag) !== 0;
  }

  #set(flag: number, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }

  /** Bytes accepted and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** The pump running now, if any (close waits for it). */
  get task(): Promise<void> | undefined {
    return this.#writeTask;
  }

  /** Queues `data`, waiting while the queue is full; see StreamSocket.write. */
  write(data: Uint8Array): Promise<void> {
    const done = Promise.withResolvers<void>();
    if (this.#blocked.length === 0 && this.#fits(data.length)) {
      this.#enqueue(data, done);
    } else {
      if (this.#blocked === NO_BLOCKED) this.#blocked = [];
      this.#blocked.push({ data, done });
    }
    return done.promise;
  }

  /** Takes (a copy of) what fits now; see StreamSocket.tryWrite. */
  tryWrite(data: Uint8Array): number {
    if (this.#blocked.length > 0) return 0;
    const n = Math.min(data.length, this.#maxQueued - this.#pending);
    if (n <= 0) return 0;
    this.#enqueue(data.slice(0, n), undefined);
    return n;
  }

  /** Resolves when everything queued so far is written; see StreamSocket.drained. */
  drained(): Promise<void> {
    if (this.#pending === 0 && this.#blocked.length === 0) {
      return Promise.resolve();
    }
    if (this.#is(W_CLOSED)) {
      return Promise.reject(
        new ConnectionClosedError("Cannot drain: socket is closed"),
      );
    }
    const waiter = Promise.withResolvers<void>();
    (this.#drainWaiters ??= []).push(waiter);
    return waiter.promise;
  }

  /**
   * A TLS upgrade begins: from now on nothing new is written until
   * `unhold()`; what was queued before goes out with `flushHeld()`.
   *
   * @returns How many chunks were queued before the upgrade.
   */
  hold(): number {
    this.#set(W_HELD, true);
    return this.#queue.length;
  }

  /** Writes the first `count` chunks (queued before `hold()`). */
  async flushHeld(count: number): Promise<void> {
    if (this.#is(W_WRITING)) await this.#writeTask;
    if (count > 0 && !this.#is(W_CLOSED)) await this.#flushHead(count);
  }

  /** The upgrade is over: writing goes on (`resume`: over the new conn). */
  unhold(resume: boolean): void {
    this.#set(W_HELD, false);
    if (!resume) return;
    if (this.#queue.length > 0) this.#startPump();
    else this.#notifyDrained();
  }

  /** The socket closed: queued and waiting writes reject. */
  shutDown(cause: Error | undefined): void {
    this.#set(W_CLOSED, true);
    const error = cause
      ? new ConnectionClosedError("Cannot write: socket is closed", { cause })
      : new ConnectionClosedError("Cannot write: socket is closed");
    for (const d of this.#queueDone) d?.reject(error);
    for (const b of this.#blocked) b.done.reject(error);
    const dropped = this.#pending > 0 || this.#blocked.length > 0;
    this.#queue = NO_CHUNKS;
    this.#queueDone = NO_DONE;
    this.#blocked = NO_BLOCKED;
    this.#pending = 0;
    const waiters = this.#drainWaiters ?? [];
    this.#drainWaiters = undefined;
    for (const w of waiters) {
      if (dropped) {
        w.reject(new ConnectionClosedError("Cannot drain: socket is closed"));
      } else w.resolve();
    }
  }

  #fits(length: number): boolean {
    return this.#pending === 0 || this.#pending + length <= this.#maxQueued;
  }

  #enqueue(
    data: Uint8Array,
    done: PromiseWithResolvers<void> | undefined,
  ): void {
    if (this.#queue === NO_CHUNKS) {
      this.#queue = [];
      this.#queueDone = [];
    }
    this.#queue.push(data);
    this.#queueDone.push(done);
    this.#pending += data.length;
    if (!this.#is(W_WRITING | W_SCHEDULED | W_HELD)) {
      // Start on a microtask so a burst of synchronous writes becomes one.
      this.#set(W_SCHEDULED, true);
      queueMicrotask(() => {
        this.#set(W_SCHEDULED, false);
        if (!this.#is(W_WRITING | W_CLOSED | W_HELD)) {
          this.#startPump();
        }
      });
    }
  }

  #startPump(): void {
    const task = this.#pump();
    // A pump that already finished leaves no task behind.
    if (this.#is(W_WRITING)) this.#writeTask = task;
  }

  async #pump(): Promise<void> {
    this.#set(W_WRITING, true);
    while (this.#queue.length > 0 && !this.#is(W_CLOSED | W_HELD)) {
      if (!await this.#flushHead(this.#queue.length)) break;
    }
    this.#set(W_WRITING, false);
    // Idle: keep no arrays and no settled task.
    this.#spareQueue = undefined;
    this.#spareDone = undefined;
    if (this.#queue.length === 0) {
      this.#queue = NO_CHUNKS;
      this.#queueDone = NO_DONE;
    }
    this.#writeTask = undefined;
    this.#notifyDrained();
  }

  // Writes the first `count` queued chunks as one buffer; false on failure.
  async #flushHead(count: number): Promise<boolean> {
    let chunks: Uint8Array[];
    let done: (PromiseWithResolvers<void> | undefined)[];
    if (count === this.#queue.length) {
      // Swap in the spare arrays: no allocation on the hot path.
      chunks = this.#queue;
      done = this.#queueDone;
      this.#queue = this.#spareQueue ?? [];
      this.#queueDone = this.#spareDone ?? [];
    } else {
      chunks = this.#queue.splice(0, count);
      done = this.#queueDone.splice(0, count);
    }
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    try {
      if (chunks.length === 1) await this.#writeAll(chunks[0]);
      else if (bytes <= COALESCE_LIMIT) {
        await this.#writeAll(concat(chunks, 0, chunks.length, bytes));
      } else await this.#writeGroups(chunks);
    } catch (error) {
      const wrapped = this.#is(W_CLOSED)
        ? new ConnectionClosedError("Cannot write: socket is closed")
        : new ConnectionClosedError(`Cannot write: ${messageOf(error)}`, {
          cause: error,
        });
      for (const d of done) d?.reject(wrapped);
      this.#target.failed(this.#owner, wrapped);
      return false;
    }
    this.#stats.bytesWritten += bytes;
    this.#pending -= bytes;
    for (const d of done) d?.resolve();
    chunks.length = 0;
    done.length = 0;
    this.#spareQueue = chunks;
    this.#spareDone = done;
    this.#admitBlocked();
    return true;
  }

  // Small chunks are copied together up to COALESCE_LIMIT per write; big
  // ones go out as they are (copying them would cost more than it saves).
  async #writeGroups(chunks: Uint8Array[]): Promise<void> {
    let start = 0;
    let groupBytes = 0;
    for (let i = 0; i <= chunks.length; i++) {
      const chunk = chunks[i];
      const big = chunk !== undefined && chunk.length >= DIRECT_WRITE_SIZE;
      if (
        chunk === undefined || big || groupBytes + chunk.length > COALESCE_LIMIT
      ) {
        if (i - start === 1) await this.#writeAll(chunks[start]);
        else if (i > start) {
          await this.#writeAll(concat(chunks, start, i, groupBytes));
        }
        start = i;
        groupBytes = 0;
        if (big) {
          await this.#writeAll(chunk);
          start = i + 1;
          continue;
        }
      }
      if (chunk !== undefined) groupBytes += chunk.length;
    }
  }

  async #writeAll(buffer: Uint8Array): Promise<void> {
    const conn = this.#target.conn(this.#owner);
    let offset = 0;
    while (offset < buffer.length) {
      this.#stats.writeCalls++;
      offset += await conn.write(buffer.subarray(offset));
    }
  }

  #notifyDrained(): void {
    if (this.#pending !== 0 || this.#blocked.length !== 0) return;
    const waiters = this.#drainWaiters;
    if (waiters === undefined) return;
    this.#drainWaiters = undefined;
    for (const w of waiters) w.resolve();
  }

  #admitBlocked(): void {
    while (
      this.#blocked.length > 0 && this.#fits(this.#blocked[0].data.length)
    ) {
      const { data, done } = this.#blocked.shift()!;
      this.#enqueue(data, done);
    }
  }
}

function concat(
  chunks: Uint8Array[],
  start: number,
  end: number,
  length: number,
): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (let i = start; i < end; i++) {
    out.set(chunks[i], offset);
    offset += chunks[i].length;
  }
  return out;
}
