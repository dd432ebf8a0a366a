// Copyright 2026 the moonwire authors. MIT license.
// The read side of FramedConnection: decodes received chunks into frames,
// buffers them for read()/readMany() up to the read-ahead limit (pausing
// the socket beyond it), and lends borrowed frames until the next read.
import { ConnectionClosedError } from "./errors.ts";
import { FrameDecoder } from "./frame_codec.ts";

/**
 * A consumer that takes frames by callback (see `readInto`), called at
 * once when a frame arrives, the stream ends (`null`) or the connection
 * fails.
 */
export interface FrameReceiver {
  readonly many?: false;
  resolve(frame: Uint8Array<ArrayBuffer> | null): void;
  reject(error: Error): void;
}

// A pending read() (one frame) or readMany() (all available frames): its
// promise's resolvers, no separate resolvers object; or a FrameReceiver.
type Reader =
  | FrameReceiver
  | {
    many: true;
    resolve: (frames: Uint8Array<ArrayBuffer>[] | null) => void;
    reject: (error: Error) => void;
  };

// The frame list of a queue holding no frames (never pushed to), so an
// idle connection keeps no array backing store.
const NO_FRAMES: Uint8Array<ArrayBuffer>[] = [];
const NO_READERS: Reader[] = [];

// Flags of the queue's state.
const R_BORROW = 1; // frames are views of the socket's reused buffer
const R_HOLDING = 2; // the socket's chunk is held until the next read call
const R_PAUSED = 4;
const R_DONE = 8;

/** The socket controls the read queue uses for flow control. */
export interface FrameReadSocket {
  pause(): void;
  resume(): void;
  release(options?: { keep?: boolean }): void;
}

/**
 * The received frames of a FramedConnection and the reads waiting for them.
 * It is its own frame decoder (one object per connection, not two).
 */
export class FrameReadQueue extends FrameDecoder {
  // Boolean state, packed in one number (the R_* flags).
  #flags = 0;
  #socket: FrameReadSocket;
  #readAhead: number;
  #frames: Uint8Array<ArrayBuffer>[] = NO_FRAMES;
  #head = 0;
  #frameBytes = 0;
  // The first waiting read, and the rest (rare: reads made without
  // awaiting the previous one), made on first use.
  #reader: Reader | undefined;
  #moreReaders: Reader[] | undefined;
  #error: Error | undefined;

  constructor(
    socket: FrameReadSocket,
    options: { maxFrameSize: number; readAhead: number; borrow: boolean },
  ) {
    super({ maxFrameSize: options.maxFrameSize });
    this.#socket = socket;
    this.#readAhead = options.readAhead;
    this.#set(R_BORROW, options.borrow);
  }

  // Whether any of the flags in `bits` is set.
  #is(bits: number): boolean {
    return (this.#flags & bits) !== 0;
  }

  #set(bits: number, on: boolean): void {
    this.#flags = on ? this.#flags | bits : this.#flags & ~bits;
  }

  /** Whether the application holds reading back (paused or borrowing). */
  get held(): boolean {
    return this.#is(R_PAUSED | R_HOLDING);
  }

  /** Whether the stream ended (cleanly or not): no more frames come. */
  get done(): boolean {
    return this.#is(R_DONE);
  }

  /** One frame; see FramedConnection.read. */
  read(): Promise<Uint8Array<ArrayBuffer> | null> {
    if (this.#is(R_HOLDING)) this.#releaseChunk();
    if (this.#head < this.#frames.length) {
      return Promise.resolve(this.#take());
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#is(R_DONE)) return Promise.resolve(null);
    return new Promise((resolve, reject) =>
      this.#wait({ many: false, resolve, reject })
    );
  }

  /**
   * A read without a promise: the next frame (or `null` at the end) when
   * there is one now, else `undefined`, and `receiver` is called when one
   * arrives. Throws the connection's error. An idle consumer this way holds
   * no promise and no closure.
   */
  readInto(
    receiver: FrameReceiver,
  ): Uint8Array<ArrayBuffer> | null | undefined {
    if (this.#is(R_HOLDING)) this.#releaseChunk();
    if (this.#head < this.#frames.length) return this.#take();
    if (this.#error) throw this.#error;
    if (this.#is(R_DONE)) return null;
    this.#wait(receiver);
    return undefined;
  }

  /** Every frame received so far; see FramedConnection.readMany. */
  readMany(): Promise<Uint8Array<ArrayBuffer>[] | null> {
    if (this.#is(R_HOLDING)) this.#releaseChunk();
    if (this.#head < this.#frames.length) {
      return Promise.resolve(this.#takeAll());
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#is(R_DONE)) return Promise.resolve(null);
    return new Promise((resolve, reject) =>
      this.#wait({ many: true, resolve, reject })
    );
  }

  /**
   * Takes a received chunk: its frames go to waiting reads or the buffer.
   * While `closing`, nothing pauses and a full buffer drops (nobody reads).
   *
   * @returns The number of pings (empty frames, never delivered) in it.
   * @throws What the decoder throws (an oversize frame announced).
   */
  receive(chunk: Uint8Array<ArrayBuffer>, closing: boolean): number {
    let frames = this.decode(chunk);
    let bytes = 0;
    let pings = 0;
    for (const frame of frames) {
      bytes += frame.length;
      if (frame.length === 0) pings++;
    }
    if (pings > 0) frames = frames.filter((frame) => frame.length > 0);
    if (closing && this.#frameBytes >= this.#readAhead) {
      // Closing and nobody reads: drop rather than buffer without bound.
      frames = [];
    } else if (this.#head === this.#frames.length) {
      this.#frames = frames;
      this.#head = 0;
      this.#frameBytes += bytes;
    } else {
      for (const frame of frames) this.#frames.push(frame);
      this.#frameBytes += bytes;
    }
    if (this.#is(R_BORROW)) {
      // Closing: keep the chunk (frames stay valid) and read on to the end.
      if (closing) this.#socket.release({ keep: true });
      else if (frames.length === 0) this.#socket.release();
      else this.#set(R_HOLDING, true);
    }
    while (this.#reader !== undefined && this.#head < this.#frames.length) {
      const reader = this.#nextReader()!;
      if (reader.many) reader.resolve(this.#takeAll());
      else reader.resolve(this.#take());
    }
    if (this.#frameBytes >= this.#readAhead && !closing) {
      this.#set(R_PAUSED, true);
      this.#socket.pause();
    }
    return pings;
  }

  /**
   * Closing: read ahead freely (the peer's end must be seen), and frames
   * already handed out stay valid while the socket reads on into a new
   * buffer.
   */
  readToEnd(): void {
    if (this.#is(R_PAUSED)) {
      this.#set(R_PAUSED, false);
      this.#socket.resume();
    }
    if (this.#is(R_HOLDING)) {
      this.#set(R_HOLDING, false);
      this.#socket.release({ keep: true });
    }
  }

  /** The error for a stream that stopped inside a frame, if it did. */
  midFrameError(cause?: Error): ConnectionClosedError | undefined {
    const buffered = this.bufferedBytes;
    if (buffered === 0) return undefined;
    return new ConnectionClosedError(
      `Cannot read frame: connection closed mid-frame (${buffered} of ${this.expectedBytes} bytes)`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** The peer finished sending: reads get what is left, then `null`. */
  end(): void {
    this.#set(R_DONE, true);
    for (const reader of this.#takeReaders()) reader.resolve(null);
  }

  /**
   * The connection failed or was aborted: waiting reads reject with
   * `error` (when the stream had not ended already); later reads get what
   * was received, then the error.
   */
  fail(error: Error): void {
    if (this.#is(R_DONE) || this.#error) return;
    this.#error = error;
    for (const reader of this.#takeReaders()) reader.reject(error);
  }

  /** The connection closed: without an error, reads end with `null`. */
  close(): void {
    if (!this.#error) this.#set(R_DONE, true);
    for (const reader of this.#takeReaders()) reader.resolve(null);
  }

  #wait(reader: Reader): void {
    if (this.#reader === undefined) this.#reader = reader;
    else (this.#moreReaders ??= []).push(reader);
  }

  // The first waiting read, removed from the queue.
  #nextReader(): Reader | undefined {
    const reader = this.#reader;
    this.#reader = this.#moreReaders?.shift();
    if (this.#moreReaders?.length === 0) this.#moreReaders = undefined;
    return reader;
  }

  // Every waiting read, in order, removed from the queue.
  #takeReaders(): Reader[] {
    if (this.#reader === undefined) return NO_READERS;
    const readers = [this.#reader, ...this.#moreReaders ?? []];
    this.#reader = undefined;
    this.#moreReaders = undefined;
    return readers;
  }

  // Borrowed frames: once every frame of the held chunk has been handed out
  // and the caller asks for more, the socket may reuse its buffer.
  #releaseChunk(): void {
    if (this.#head < this.#frames.length) return;
    this.#set(R_HOLDING, false);
    this.#socket.release();
  }

  #takeAll(): Uint8Array<ArrayBuffer>[] {
    const frames = this.#head === 0
      ? this.#frames
      : this.#frames.slice(this.#head);
    this.#frames = NO_FRAMES;
    this.#head = 0;
    this.#frameBytes = 0;
    if (this.#is(R_PAUSED)) {
      this.#set(R_PAUSED, false);
      this.#socket.resume();
    }
    return frames;
  }

  #take(): Uint8Array<ArrayBuffer> {
    const frame = this.#frames[this.#head++];
    this.#frameBytes -= frame.length;
    if (this.#head === this.#frames.length) {
      this.#frames = NO_FRAMES;
      this.#head = 0;
    } else if (this.#head >= 1024) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    if (this.#is(R_PAUSED) && this.#frameBytes <= this.#readAhead / 2) {
      this.#set(R_PAUSED, false);
      this.#socket.resume();
    }
    return frame;
  }
}
