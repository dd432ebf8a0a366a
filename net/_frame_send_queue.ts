// Copyright 2026 the moonwire authors. MIT license.
// The send side of FramedConnection: frames are copied into arenas, written
// one arena at a time while the next ones fill (coalescing), bounded by
// maxQueuedBytes (sends wait or fail fast), with ready() pacing and the
// flush that close() waits for.
import { ConnectionClosedError, FrameTooLargeError } from "./errors.ts";
import { WheelTimer } from "./_timer_wheel.ts";

// Send arenas: big enough that a write moves a lot, small enough to pipeline.
// They start at 1 KiB (an idle or chat-like connection holds little) and
// double each time one fills up, back to small after a quiet second.
const ARENA_SIZE = 256 * 1024;
const FIRST_ARENA_SIZE = 1024;
// A keepalive ping: a frame header with length 0.
const PING_SIZE = 4;
const EMPTY_FRAME = new Uint8Array(PING_SIZE);
// Arenas kept for reuse while busy (a full 4 MiB queue); trimmed to none
// once the queue drains, so idle connections hold no send memory.
const POOL_SIZE = 16;
const NO_ARENA = new Uint8Array(0);
const TRIM_DELAY = 1000;
const RESOLVED: Promise<void> = Promise.resolve();

// Frames accepted for sending, gathered into one buffer and written at once.
interface Batch {
  buffer: Uint8Array<ArrayBuffer>;
  used: number;
  done: PromiseWithResolvers<void> | undefined;
}

// Flags of the queue's state.
const Q_FAIL_FAST = 1;
const Q_WRITING = 2;
const Q_SCHEDULED = 4;
const Q_SENT = 8; // something was queued since the last takeSent()
const Q_REFUSING = 16; // closing or shut: sends reject
const Q_SHUT = 32; // nothing is written any more

// The current batch of a queue with nothing to send: shared, and never
// filled (#reserve replaces it with a real arena for any frame).
const IDLE_BATCH: Batch = { buffer: NO_ARENA, used: 0, done: undefined };

// A send waiting for room in the queue (only when whenFull is "wait").
interface BlockedSend {
  payloads: Uint8Array | Uint8Array[];
  size: number;
  done: PromiseWithResolvers<void>;
}

/** What the send queue needs from its connection. */
export interface FrameSendHooks {
  /** Hands bytes to the socket; resolves once written. */
  write(bytes: Uint8Array): Promise<void>;
  /** A write starts (traffic, for the idle timer). */
  writing(): void;
  /** A write failed: the connection tears down (and calls `shutDown`). */
  failed(cause: Error): void;
}

/** The bounded, coalescing send queue of a FramedConnection. */
export class FrameSendQueue {
  // Boolean state, packed in one number (the Q_* flags).
  #flags = 0;
  #hooks: FrameSendHooks;
  #maxQueued: number;
  #readyMark: number;
  /** Largest payload accepted (the connection's `maxFrameSize`). */
  maxFrameSize: number;

  // Full arenas wait in #sealed; one arena is written at a time while the
  // next ones fill.
  #batch: Batch = IDLE_BATCH;
  // The lists below are made on first use (an idle connection holds none).
  #sealed: Batch[] | undefined;
  #pool: Batch[] | undefined;
  // The last buffer made for a frame larger than an arena, kept while busy:
  // bulk senders (mm records reach 512 KiB) reuse it instead of zeroing a
  // fresh one per frame.
  #spareLarge: Batch | undefined;
  #arenaSize = FIRST_ARENA_SIZE;
  #queued = 0;
  #inflight = 0;
  #blocked: BlockedSend[] | undefined;
  #blockedBytes = 0;
  #idleWaiters: PromiseWithResolvers<void>[] | undefined;
  #readyWaiters: PromiseWithResolvers<void>[] | undefined;
  #trimTimer: WheelTimer | undefined;
  #sendError: Error | undefined;

  constructor(
    hooks: FrameSendHooks,
    limits: { maxFrameSize: number; maxQueued: number; failFast: boolean },
  ) {
    this.#hooks = hooks;
    this.maxFrameSize = limits.maxFrameSize;
    this.#maxQueued = limits.maxQueued;
    this.#readyMark = Math.min(ARENA_SIZE, limits.maxQueued / 2);
    this.#set(Q_FAIL_FAST, limits.failFast);
  }

  // Whether any of the flags in `bits` is set.
  #is(bits: number): boolean {
    return (this.#flags & bits) !== 0;
  }

  #set(bits: number, on: boolean): void {
    this.#flags = on ? this.#flags | bits : this.#flags & ~bits;
  }

  /** Bytes accepted and not yet written, those waiting for room included. */
  get pendingBytes(): number {
    return this.#queued + this.#inflight + this.#blockedBytes;
  }

  /** Whether a ping answer fits in the queue now. */
  get pingFits(): boolean {
    return this.#queued + this.#inflight + PING_SIZE <= this.#maxQueued;
  }

  /** Whether anything was queued since the last call (keepalive). */
  takeSent(): boolean {
    const sent = this.#is(Q_SENT);
    this.#set(Q_SENT, false);
    return sent;
  }

  /** Queues one frame; see FramedConnection.send. */
  send(payload: Uint8Array): Promise<void> {
    // Fast path (most sends of a stream): the frame joins the arena that is
    // already filling, whose write is already due.
    const batch = this.#batch;
    const done = batch.done;
    if (done !== undefined && payload instanceof Uint8Array) {
      const length = payload.length;
      const size = 4 + length;
      if (
        length > 0 && length <= this.maxFrameSize &&
        batch.used + size <= batch.buffer.length &&
        this.#queued + this.#inflight + size <= this.#maxQueued &&
        !this.#blocked?.length && !this.#is(Q_REFUSING)
      ) {
        writeFrame(batch.buffer, batch.used, payload);
        batch.used += size;
        this.#queued += size;
        this.#set(Q_SENT, true);
        this.#schedule();
        return done.promise;
      }
    }
    const error = this.#checkPayload(payload);
    if (error) return Promise.reject(error);
    return this.#submit(payload, 4 + payload.length);
  }

  /** Queues frames to go out together; see FramedConnection.sendMany. */
  sendMany(payloads: Uint8Array[]): Promise<void> {
    if (!Array.isArray(payloads)) {
      return Promise.reject(
        new TypeError("Cannot send frames: payloads must be an array"),
      );
    }
    let size = 0;
    for (const payload of payloads) {
      const error = this.#checkPayload(payload);
      if (error) return Promise.reject(error);
      size += 4 + payload.length;
    }
    if (payloads.length === 0) {
      return this.#is(Q_REFUSING) ? this.closedRejection() : Promise.resolve();
    }
    return this.#submit(payloads, size);
  }

  /** Resolves when there is room; see FramedConnection.ready. */
  ready(): Promise<void> {
    if (this.#is(Q_REFUSING)) return this.closedRejection();
    if (this.#queued + this.#inflight < this.#readyMark) return RESOLVED;
    const waiter = Promise.withResolvers<void>();
    (this.#readyWaiters ??= []).push(waiter);
    return waiter.promise;
  }

  /** Queues a keepalive ping (or a ping answer). */
  sendPing(): void {
    if (this.#is(Q_REFUSING)) return;
    const batch = this.#reserve(PING_SIZE);
    batch.buffer.set(EMPTY_FRAME, batch.used);
    batch.used += PING_SIZE;
    this.#queued += PING_SIZE;
    this.#set(Q_SENT, true);
    this.#schedule();
  }

  /** close() began: later sends reject; what is queued still goes out. */
  refuse(): void {
    this.#set(Q_REFUSING, true);
  }

  /** Resolves when everything accepted or waiting has been written. */
  flushed(): Promise<void> {
    if (!this.#is(Q_WRITING) && this.#queued === 0 && !this.#blocked?.length) {
      return Promise.resolve();
    }
    const waiter = Promise.withResolvers<void>();
    (this.#idleWaiters ??= []).push(waiter);
    return waiter.promise;
  }

  /** Drops everything queued: its sends reject (the cause is `error`). */
  shutDown(error: Error | undefined): void {
    this.#set(Q_REFUSING, true);
    this.#set(Q_SHUT, true);
    this.#sendError ??= error;
    this.#trimTimer?.stop();
    this.#pool = undefined;
    this.#spareLarge = undefined;
    const sendError = this.#closedSendError();
    const batches = [...this.#sealed ?? [], this.#batch];
    this.#sealed = undefined;
    for (const batch of batches) {
      batch.done?.reject(sendError);
      batch.done = undefined;
      batch.used = 0;
    }
    this.#queued = 0;
    for (const blocked of this.#blocked?.splice(0) ?? []) {
      blocked.done.reject(sendError);
    }
    this.#blockedBytes = 0;
    for (const waiter of this.#readyWaiters?.splice(0) ?? []) {
      waiter.reject(sendError);
    }
    this.#notifyIdle();
  }

  // Sends may be fired and forgotten (the failure also reaches read() and
  // ready()), so their rejection once closed must not be unhandled.
  /** A rejected promise for a send once closing, closed or failed. */
  closedRejection(): Promise<never> {
    const rejected = Promise.reject(this.#closedSendError());
    rejected.catch(ignore);
    return rejected;
  }

  #checkPayload(payload: Uint8Array): Error | undefined {
    if (!(payload instanceof Uint8Array)) {
      return new TypeError(
        `Cannot send frame: payload must be a Uint8Array, got ${typeof payload}`,
      );
    }
    if (payload.length > this.maxFrameSize) {
      return new FrameTooLargeError(
        `Cannot send frame: length ${payload.length} exceeds limit ${this.maxFrameSize}`,
      );
    }
    if (payload.length === 0) {
      return new RangeError(
        "Cannot send frame: empty frames are reserved for keepalive pings",
      );
    }
    return undefined;
  }

  #closedSendError(): Error {
    if (this.#sendError) {
      return new ConnectionClosedError(
        "Cannot send frame: connection is closed",
        { cause: this.#sendError },
      );
    }
    return new ConnectionClosedError("Cannot send frame: connection is closed");
  }

  #submit(payloads: Uint8Array | Uint8Array[], size: number): Promise<void> {
    if (this.#is(Q_REFUSING)) return this.closedRejection();
    const pending = this.#queued + this.#inflight;
    if (
      !this.#blocked?.length &&
      (pending === 0 || pending + size <= this.#maxQueued)
    ) {
      return this.#append(payloads, size);
    }
    if (this.#is(Q_FAIL_FAST)) {
      return Promise.reject(
        new RangeError(
          `Cannot send frame: send queue is full (${pending} bytes queued, limit ${this.#maxQueued})`,
        ),
      );
    }
    const done = Promise.withResolvers<void>();
    done.promise.catch(ignore);
    // Waiting sends keep a copy, so callers may reuse their buffer at once.
    const copy = payloads instanceof Uint8Array
      ? payloads.slice()
      : payloads.map((payload) => payload.slice());
    (this.#blocked ??= []).push({ payloads: copy, size, done });
    this.#blockedBytes += size;
    return done.promise;
  }

  // Copies frames into the current arena and schedules a write.
  #append(payloads: Uint8Array | Uint8Array[], size: number): Promise<void> {
    const batch = this.#reserve(size);
    if (payloads instanceof Uint8Array) {
      writeFrame(batch.buffer, batch.used, payloads);
    } else {
      let offset = batch.used;
      for (const payload of payloads) {
        writeFrame(batch.buffer, offset, payload);
        offset += 4 + payload.length;
      }
    }
    batch.used += size;
    this.#queued += size;
    let done = batch.done;
    if (done === undefined) {
      done = batch.done = Promise.withResolvers<void>();
      // Callers may fire and forget; failures also reach read()/ready().
      done.promise.catch(ignore);
    }
    this.#set(Q_SENT, true);
    this.#schedule();
    return done.promise;
  }

  // The arena that takes the next `size` bytes: the current one if they
  // fit or it can grow to take them (up to ARENA_SIZE), else a fresh one
  // (the current one is sealed for writing). Frames larger than an arena
  // get a buffer of their own (#largeBatch).
  #reserve(size: number): Batch {
    const batch = this.#batch;
    const need = batch.used + size;
    if (need <= batch.buffer.length) return batch;
    if (batch.used > 0 && need <= ARENA_SIZE) {
      // Not written yet (the arena in flight is never the current one), so
      // it may grow: frames sent in one turn stay one write.
      const grown = new Uint8Array(
        Math.min(doubledTo(batch.buffer.length, need), ARENA_SIZE),
      );
      grown.set(batch.buffer.subarray(0, batch.used));
      batch.buffer = grown;
      if (grown.length > this.#arenaSize) this.#useArenaSize(grown.length);
      return batch;
    }
    if (batch.used > 0) {
      (this.#sealed ??= []).push(batch);
      if (
        this.#arenaSize < ARENA_SIZE && batch.buffer.length >= this.#arenaSize
      ) {
        // A full arena: traffic is heavy, use bigger ones.
        this.#useArenaSize(this.#arenaSize * 2);
      }
    } else this.#recycle(batch);
    if (size > this.#arenaSize && size * 2 <= ARENA_SIZE) {
      // Frames bigger than the arenas: go straight to arenas that hold two
      // (pooled, reused), not a fresh buffer per frame until doubling
      // catches up.
      this.#useArenaSize(doubledTo(this.#arenaSize, size * 2));
    }
    const next = size <= this.#arenaSize
      ? (this.#pool?.pop() ?? newBatch(this.#arenaSize))
      : this.#largeBatch(size);
    this.#batch = next;
    return next;
  }

  // New arenas are `length` bytes; pooled ones of the old size are dropped.
  #useArenaSize(length: number): void {
    this.#arenaSize = length;
    this.#pool = undefined;
  }

  // A buffer for a frame larger than an arena: the spare when it is big
  // enough, else a new one rounded up to whole arenas, so frames of nearby
  // sizes can reuse it.
  #largeBatch(size: number): Batch {
    const spare = this.#spareLarge;
    if (spare !== undefined && spare.buffer.length >= size) {
      this.#spareLarge = undefined;
      return spare;
    }
    return newBatch(Math.ceil(size / ARENA_SIZE) * ARENA_SIZE);
  }

  // Frees pooled arenas once sending has paused for a while, so an idle
  // connection holds no send memory while a busy one reuses its arenas.
  #scheduleTrim(): void {
    if (
      this.#trimTimer?.armed ||
      (!this.#pool?.length && this.#arenaSize === FIRST_ARENA_SIZE &&
        this.#spareLarge === undefined)
    ) return;
    this.#trimTimer ??= new WheelTimer(() => this.#trim());
    this.#trimTimer.start(TRIM_DELAY);
  }

  #trim(): void {
    if (this.#queued === 0 && !this.#is(Q_WRITING)) {
      this.#pool = undefined;
      this.#spareLarge = undefined;
      this.#arenaSize = FIRST_ARENA_SIZE;
    } else this.#scheduleTrim();
  }

  #recycle(batch: Batch): void {
    batch.used = 0;
    batch.done = undefined;
    if (batch.buffer.length > ARENA_SIZE) {
      this.#spareLarge = batch;
      return;
    }
    // First-size arenas are not kept: small sends make one now and then,
    // and an idle connection then holds no arena and no trim timer.
    if (
      batch.buffer.length === this.#arenaSize &&
      this.#arenaSize > FIRST_ARENA_SIZE &&
      (this.#pool?.length ?? 0) < POOL_SIZE
    ) {
      (this.#pool ??= []).push(batch);
    }
  }

  #schedule(): void {
    if (this.#is(Q_WRITING | Q_SCHEDULED)) return;
    // Start on a microtask so a burst of synchronous sends becomes one write.
    this.#set(Q_SCHEDULED, true);
    queueMicrotask(() => {
      this.#set(Q_SCHEDULED, false);
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#is(Q_WRITING | Q_SHUT)) return;
    let batch = this.#sealed?.shift();
    if (batch === undefined) {
      batch = this.#batch;
      if (batch.used === 0) return;
      this.#batch = this.#pool?.pop() ?? IDLE_BATCH;
    }
    this.#set(Q_WRITING, true);
    this.#queued -= batch.used;
    this.#inflight = batch.used;
    this.#hooks.writing();
    const written = batch;
    this.#hooks.write(batch.buffer.subarray(0, batch.used)).then(
      () => this.#written(written),
      (error) => this.#writeFailed(written, error),
    );
  }

  #written(batch: Batch): void {
    this.#set(Q_WRITING, false);
    this.#inflight = 0;
    const done = batch.done;
    this.#recycle(batch);
    done?.resolve();
    this.#admitBlocked();
    if (this.#readyWaiters?.length && this.#queued < this.#maxQueued) {
      const waiters = this.#readyWaiters;
      this.#readyWaiters = undefined;
      for (const waiter of waiters) waiter.resolve();
    }
    if (this.#sealed?.length) this.#flush();
    // Only the filling arena is left: write it on a microtask, after the
    // senders just woken by ready() (and admitted above) have added to it,
    // so a paced stream keeps writing full arenas, not one frame at a time.
    else if (this.#queued > 0) this.#schedule();
    else if (!this.#blocked?.length) {
      this.#scheduleTrim();
      this.#notifyIdle();
    }
  }

  #writeFailed(batch: Batch, error: unknown): void {
    this.#set(Q_WRITING, false);
    this.#inflight = 0;
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#sendError ??= cause;
    batch.done?.reject(this.#closedSendError());
    this.#hooks.failed(cause);
  }

  #admitBlocked(): void {
    while (this.#blocked?.length) {
      const next = this.#blocked[0];
      const pending = this.#queued + this.#inflight;
      if (pending !== 0 && pending + next.size > this.#maxQueued) return;
      this.#blocked.shift();
      this.#blockedBytes -= next.size;
      this.#append(next.payloads, next.size).then(
        next.done.resolve,
        next.done.reject,
      );
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    if (waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const waiter of waiters) waiter.resolve();
  }
}

function ignore(): void {}

function writeFrame(buffer: Uint8Array, offset: number, payload: Uint8Array) {
  const length = payload.length;
  buffer[offset] = length >>> 24;
  buffer[offset + 1] = (length >>> 16) & 0xff;
  buffer[offset + 2] = (length >>> 8) & 0xff;
  buffer[offset + 3] = length & 0xff;
  buffer.set(payload, offset + 4);
}

/** `from` doubled until it is at least `atLeast`. */
function doubledTo(from: number, atLeast: number): number {
  let length = from * 2;
  while (length < atLeast) length *= 2;
  return length;
}

function newBatch(size: number): Batch {
  return { buffer: new Uint8Array(size), used: 0, done: undefined };
}
