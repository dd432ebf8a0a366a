// Copyright 2026 the moonwire authors. MIT license.
// The read side of FramedConnection: decodes received chunks into frames,
// buffers them for read()/readMany() up to the read-ahead limit (pausing
// the socket beyond it), and lends borrowed frames until the next read.
import { ConnectionClosedError } from "./errors.ts";
import { FrameDecoder } from "./frame_codec.ts";

// A pending read() (one frame) or readMany() (all available frames).
type Reader =
  | {
    many: false;
    done: PromiseWithResolvers<Uint8Array<ArrayBuffer> | null>;
  }
  | {
    many: true;
    done: PromiseWithResolvers<Uint8Array<ArrayBuffer>[] | null>;
  };

/** The socket controls the read queue uses for flow control. */
export interface FrameReadSocket {
  pause(): void;
  resume(): void;
  release(options?: { keep?: boolean }): void;
}

/** The received frames of a FramedConnection and the reads waiting for them. */
export class FrameReadQueue {
  #socket: FrameReadSocket;
  #decoder: FrameDecoder;
  #readAhead: number;
  // Borrowed frames: the socket's chunk is held until the next read call.
  #borrow: boolean;
  #holding = false;
  #frames: Uint8Array<ArrayBuffer>[] = [];
  #head = 0;
  #frameBytes = 0;
  #paused = false;
  #readers: Reader[] = [];
  #done = false;
  #error: Error | undefined;

  constructor(
    socket: FrameReadSocket,
    options: { maxFrameSize: number; readAhead: number; borrow: boolean },
  ) {
    this.#socket = socket;
    this.#decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize });
    this.#readAhead = options.readAhead;
    this.#borrow = options.borrow;
  }

  /** Largest frame accepted, from the next frame header on. */
  set maxFrameSize(limit: number) {
    this.#decoder.maxFrameSize = limit;
  }

  /** Whether the application holds reading back (paused or borrowing). */
  get held(): boolean {
    return this.#paused || this.#holding;
  }

  /** Whether the stream ended (cleanly or not): no more frames come. */
  get done(): boolean {
    return this.#done;
  }

  /** One frame; see FramedConnection.read. */
  read(): Promise<Uint8Array<ArrayBuffer> | null> {
    if (this.#holding) this.#releaseChunk();
    if (this.#head < this.#frames.length) {
      return Promise.resolve(this.#take());
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve(null);
    const done = Promise.withResolvers<Uint8Array<ArrayBuffer> | null>();
    this.#readers.push({ many: false, done });
    return done.promise;
  }

  /** Every frame received so far; see FramedConnection.readMany. */
  readMany(): Promise<Uint8Array<ArrayBuffer>[] | null> {
    if (this.#holding) this.#releaseChunk();
    if (this.#head < this.#frames.length) {
      return Promise.resolve(this.#takeAll());
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve(null);
    const done = Promise.withResolvers<Uint8Array<ArrayBuffer>[] | null>();
    this.#readers.push({ many: true, done });
    return done.promise;
  }

  /**
   * Takes a received chunk: its frames go to waiting reads or the buffer.
   * While `closing`, nothing pauses and a full buffer drops (nobody reads).
   *
   * @returns The number of pings (empty frames, never delivered) in it.
   * @throws What the decoder throws (an oversize frame announced).
   */
  receive(chunk: Uint8Array<ArrayBuffer>, closing: boolean): number {
    let frames = this.#decoder.decode(chunk);
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
    if (this.#borrow) {
      // Closing: keep the chunk (frames stay valid) and read on to the end.
      if (closing) this.#socket.release({ keep: true });
      else if (frames.length === 0) this.#socket.release();
      else this.#holding = true;
    }
    while (this.#readers.length > 0 && this.#head < this.#frames.length) {
      const reader = this.#readers.shift()!;
      if (reader.many) reader.done.resolve(this.#takeAll());
      else reader.done.resolve(this.#take());
    }
    if (this.#frameBytes >= this.#readAhead && !closing) {
      this.#paused = true;
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
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    if (this.#holding) {
      this.#holding = false;
      this.#socket.release({ keep: true });
    }
  }

  /** The error for a stream that stopped inside a frame, if it did. */
  midFrameError(cause?: Error): ConnectionClosedError | undefined {
    const buffered = this.#decoder.bufferedBytes;
    if (buffered === 0) return undefined;
    return new ConnectionClosedError(
      `Cannot read frame: connection closed mid-frame (${buffered} of ${this.#decoder.expectedBytes} bytes)`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** The peer finished sending: reads get what is left, then `null`. */
  end(): void {
    this.#done = true;
    for (const reader of this.#readers.splice(0)) reader.done.resolve(null);
  }

  /**
   * The connection failed or was aborted: waiting reads reject with
   * `error` (when the stream had not ended already); later reads get what
   * was received, then the error.
   */
  fail(error: Error): void {
    if (this.#done || this.#error) return;
    this.#error = error;
    for (const reader of this.#readers.splice(0)) reader.done.reject(error);
  }

  /** The connection closed: without an error, reads end with `null`. */
  close(): void {
    if (!this.#error) this.#done = true;
    for (const reader of this.#readers.splice(0)) reader.done.resolve(null);
  }

  // Borrowed frames: once every frame of the held chunk has been handed out
  // and the caller asks for more, the socket may reuse its buffer.
  #releaseChunk(): void {
    if (this.#head < this.#frames.length) return;
    this.#holding = false;
    this.#socket.release();
  }

  #takeAll(): Uint8Array<ArrayBuffer>[] {
    const frames = this.#head === 0
      ? this.#frames
      : this.#frames.slice(this.#head);
    this.#frames = [];
    this.#head = 0;
    this.#frameBytes = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    return frames;
  }

  #take(): Uint8Array<ArrayBuffer> {
    const frame = this.#frames[this.#head++];
    this.#frameBytes -= frame.length;
    if (this.#head === this.#frames.length) {
      this.#frames.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    if (this.#paused && this.#frameBytes <= this.#readAhead / 2) {
      this.#paused = false;
      this.#socket.resume();
    }
    return frame;
  }
}
