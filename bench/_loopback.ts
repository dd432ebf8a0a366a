// Copyright 2026 the moonwire authors. MIT license.
// Loopback plumbing for the baselines: TCP and TLS pairs, raw full writes
// and reads, WebSockets, a throw-away certificate, forced GC and memory
// readings.
import { makeTestCertificates } from "../tests/_certs.ts";

/** A connected TCP pair on 127.0.0.1. */
export async function tcpPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  return [client, await accepted];
}

/** Writes all of `bytes`. */
export async function writeAll(
  conn: Deno.Conn,
  bytes: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

/** Reads exactly `total` bytes into (and over) `buffer`. */
export async function readTotal(
  conn: Deno.Conn,
  buffer: Uint8Array,
  total: number,
): Promise<void> {
  let received = 0;
  while (received < total) {
    const n = await conn.read(
      buffer.subarray(0, Math.min(buffer.length, total - received)),
    );
    if (n === null) throw new Error("Cannot read baseline bytes: early end");
    received += n;
  }
}

/**
 * A Deno.serve server on 127.0.0.1 that upgrades every request to a
 * WebSocket and hands the server end to `onSocket`.
 */
export function webSocketServer(
  onSocket: (socket: WebSocket) => void,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    onSocket(socket);
    return response;
  });
}

/** Opens a WebSocket client and resolves once it is open. */
export function openWebSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  const { promise, resolve, reject } = Promise.withResolvers<WebSocket>();
  socket.onopen = () => resolve(socket);
  socket.onerror = () =>
    reject(new Error(`Cannot open WebSocket to ${url}: connection failed`));
  return promise;
}

/** Closes a WebSocket and resolves once it is closed. */
export function closeWebSocket(socket: WebSocket): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  socket.onclose = () => resolve();
  socket.close();
  return promise;
}

/** A leaf certificate for 127.0.0.1 and the CA that signed it (PEM). */
export interface TlsMaterial {
  cert: string;
  key: string;
  caCert: string;
}

/** Makes TLS material with openssl (tests/_certs.ts) and removes its files. */
export function makeTlsMaterial(): TlsMaterial {
  using certificates = makeTestCertificates();
  return {
    cert: certificates.cert,
    key: certificates.key,
    caCert: certificates.caCert,
  };
}

/** A connected, handshaken TLS pair on 127.0.0.1. */
export async function tlsPair(
  tls: TlsMaterial,
): Promise<[Deno.TlsConn, Deno.TlsConn]> {
  using listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: tls.cert,
    key: tls.key,
  });
  const accepted = listener.accept();
  const client = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: listener.addr.port,
    caCerts: [tls.caCert],
  });
  const server = await accepted;
  await Promise.all([client.handshake(), server.handshake()]);
  return [client, server];
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Whether `gc()` is available (`--v8-flags=--expose-gc`). */
export const canForceGc: boolean = gc !== undefined;

/** Heap and RSS after a forced GC (when available). */
export async function settledMemory(): Promise<{ heap: number; rss: number }> {
  // Let closed resources' callbacks run before collecting.
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc?.();
  gc?.();
  const { heapUsed, rss } = Deno.memoryUsage();
  return { heap: heapUsed, rss };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
