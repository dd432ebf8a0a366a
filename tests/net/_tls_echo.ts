// Copyright 2026 the moonwire authors. MIT license.
// A Deno.listenTls echo server for one connection, for the TLS socket tests.

/** Echoes one TLS connection until its end, then ends its side too. */
export function tlsEcho(
  certs: { cert: string; key: string },
): {
  port: number;
  done: Promise<void>;
  listener: Deno.TlsListener;
  [Symbol.dispose](): void;
} {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.cert,
    key: certs.key,
  });
  const done = (async () => {
    let conn: Deno.TlsConn;
    try {
      conn = await listener.accept();
    } catch {
      return; // Closed before anyone connected.
    }
    try {
      const buffer = new Uint8Array(1024);
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        await conn.write(buffer.subarray(0, n));
      }
      // Sends close_notify, so the client sees a clean end of stream.
      await conn.closeWrite();
    } catch {
      // Client went away or failed the handshake.
    } finally {
      conn.close();
    }
  })();
  return {
    port: listener.addr.port,
    done,
    listener,
    [Symbol.dispose]() {
      try {
        listener.close();
      } catch {
        // Closed by the test already.
      }
    },
  };
}
