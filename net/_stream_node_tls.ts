// Copyright 2026 the moonwire authors. MIT license.
// A TLS client connection over node:tls, used only when the caller explicitly
// disables certificate verification: Deno.connectTls/Deno.startTls always
// verify the certificate chain and have no per-connection switch for it.
import tls from "node:tls";
import type { StreamConn } from "./_stream_conn.ts";

/** Options for {@linkcode connectNodeTls}. */
export interface NodeTlsOptions {
  serverName: string;
  caCerts?: string[];
  signal: AbortSignal;
}

class NodeTlsConn implements StreamConn {
  #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | undefined;
  #closed = false;
  #reader: (() => void) | undefined;
  #finished: Promise<void>;
  localAddr: Deno.NetAddr;
  remoteAddr: Deno.NetAddr;

  constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    this.localAddr = {
      transport: "tcp",
      hostname: socket.localAddress ?? "",
      port: socket.localPort ?? 0,
    };
    this.remoteAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    const finished = Promise.withResolvers<void>();
    this.#finished = finished.promise;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      // Bound what node buffers for us; reading resumes the socket.
      if (this.#buffered >= 256 * 1024) socket.pause();
      this.#wake();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("error", (error: Error) => {
      this.#error ??= error;
      this.#wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      finished.resolve();
      this.#wake();
    });
  }

  #wake(): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.();
  }

  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#closed) throw new Deno.errors.BadResource("Socket is closed");
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#reader = resolve;
      await promise;
    }
    const chunk = this.#chunks[0];
    const n = Math.min(p.length, chunk.length);
    p.set(chunk.subarray(0, n));
    if (n === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(n);
    this.#buffered -= n;
    if (this.#buffered < 256 * 1024 && this.#socket.isPaused()) {
      this.#socket.resume();
    }
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#closed) {
      return Promise.reject(new Deno.errors.BadResource("Socket is closed"));
    }
    if (this.#error) return Promise.reject(this.#error);
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    this.#socket.write(p, (error?: Error | null) => {
      if (error) reject(error);
      else resolve(p.length);
    });
    return promise;
  }

  closeWrite(): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#socket.end(() => resolve());
    return promise;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#wake();
  }

  /** Resolves once node has released the socket. */
  get finished(): Promise<void> {
    return this.#finished;
  }
}

/**
 * Opens a TLS client connection that does not verify the peer certificate.
 * Only for callers that asked for it explicitly.
 */
export function connectNodeTls(
  hostname: string,
  port: number,
  options: NodeTlsOptions,
): Promise<StreamConn & { readonly finished: Promise<void> }> {
  const { promise, resolve, reject } = Promise.withResolvers<
    NodeTlsConn
  >();
  const socket = tls.connect({
    host: hostname,
    port,
    servername: isIp(options.serverName) ? undefined : options.serverName,
    ca: options.caCerts,
    rejectUnauthorized: false,
  });
  // Like every StreamSocket: the write queue coalesces already, Nagle would
  // only hold a write back for the peer's delayed ACK.
  socket.setNoDelay(true);
  const onAbort = () => {
    socket.destroy();
    reject(options.signal.reason);
  };
  const onError = (error: Error) => {
    options.signal.removeEventListener("abort", onAbort);
    socket.destroy();
    reject(error);
  };
  options.signal.addEventListener("abort", onAbort, { once: true });
  socket.once("error", onError);
  socket.once("secureConnect", () => {
    options.signal.removeEventListener("abort", onAbort);
    socket.off("error", onError);
    resolve(new NodeTlsConn(socket));
  });
  return promise;
}

function isIp(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(":");
}
