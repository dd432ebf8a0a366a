// Copyright 2026 the moonwire authors. MIT license.
// Opening the connection of StreamSocket.connect: TCP, verified TLS
// (Deno.startTls) or unverified TLS (node:tls), under one timeout and abort
// signal; and the TLS handshake that upgradeTls shares.
import { TimeoutError } from "./errors.ts";
import type { StreamConn } from "./_stream_conn.ts";
import { connectNodeTls } from "./_stream_node_tls.ts";
import { checkPort } from "./_stream_validate.ts";
import {
  isNotTlsAnswer,
  NOT_TLS_REASON,
  withContext,
} from "./_error_context.ts";
import type {
  StreamSocketConnectOptions,
  StreamSocketTlsOptions,
} from "./_stream_options.ts";

/** Connects for StreamSocket.connect; see there for the options. */
export async function openStreamConn(
  hostname: string,
  port: number,
  options: StreamSocketConnectOptions,
): Promise<StreamConn> {
  if (typeof hostname !== "string") {
    throw new TypeError(
      `Cannot connect: hostname must be a string, got ${typeof hostname}`,
    );
  }
  checkPort(port, "connect", 1);
  const timeout = options.timeout ?? 5000;
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    throw new RangeError(
      `Cannot connect: timeout must be a non-negative number, got ${timeout}`,
    );
  }
  options.signal?.throwIfAborted();
  const target = `${hostname}:${port}`;
  const controller = new AbortController();
  const timeoutError = new TimeoutError(
    `Cannot connect to ${target}: no answer within ${timeout} ms`,
  );
  const timer = setTimeout(() => controller.abort(timeoutError), timeout);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const signal = controller.signal;
  const tls = options.tls;
  try {
    if (tls?.unsafelyDisableVerification === true) {
      return await connectNodeTls(hostname, port, {
        serverName: tls.serverName ?? hostname,
        caCerts: tls.caCerts,
        signal,
      });
    }
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname, port, signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw error;
    }
    if (!tls) return conn;
    return await handshake(conn as Deno.TcpConn, hostname, tls, signal);
  } catch (error) {
    // The TLS library's words for a plain-text answer name neither the
    // peer nor the cause.
    if (tls && isNotTlsAnswer(error)) {
      throw withContext(
        error,
        `Cannot connect to ${target} over TLS: ${NOT_TLS_REASON}`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Runs a verified TLS client handshake over `conn` (closed on failure);
 * `signal` aborts it.
 */
export async function handshake(
  conn: Deno.TcpConn,
  hostname: string,
  tls: StreamSocketTlsOptions,
  signal: AbortSignal,
): Promise<Deno.TlsConn> {
  let tlsConn: Deno.TlsConn;
  try {
    // A Deno.TlsConn has no setNoDelay: set it on the TCP socket beneath.
    conn.setNoDelay(true);
    tlsConn = await Deno.startTls(conn, {
      hostname: tls.serverName ?? hostname,
      caCerts: tls.caCerts,
    });
  } catch (error) {
    try {
      conn.close();
    } catch {
      // Consumed or closed already.
    }
    throw error;
  }
  const onAbort = () => tlsConn.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    // An abort during startTls fired no listener: the handshake below would
    // then wait with no timeout at all.
    signal.throwIfAborted();
    await tlsConn.handshake();
  } catch (error) {
    try {
      tlsConn.close();
    } catch {
      // Closed already.
    }
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return tlsConn;
}
