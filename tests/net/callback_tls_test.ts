// Copyright 2026 the moonwire authors. MIT license.
// STARTTLS on callback links: startTlsClient against startTlsServer over
// loopback, data order around EOF, and handshake failures reaching onError.
// Certificates are made by openssl in a temp dir (test ignored without it).
import assert from "node:assert/strict";
import { connect } from "../../net/connect.ts";
import { listen } from "../../net/listen.ts";
import type { TcpLink } from "../../net/tcp_link.ts";
import type { ServerHandle } from "../../net/server_handle.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates } from "../_certs.ts";
import { type Recorder, recorder } from "./_link_recorder.ts";
import { mulberry32 } from "../_random.ts";

const decoder = new TextDecoder();
const opensslMissing = ignoreReason("openssl");

/** A server whose links start TLS on their first received bytes. */
function tlsServer(
  cert: string,
  key: string,
  onData: (link: TcpLink, text: string) => void,
): { server: ServerHandle; links: Recorder[] } {
  const links: Recorder[] = [];
  const server = listen(0, {
    onIncomingConnection: () => {
      let started = false;
      const rec = recorder({
        onData: (link, data) => {
          if (started) return false;
          started = true;
          // The first bytes are the ClientHello: hand them to TLS.
          link.startTlsServer(cert, key, { startData: data });
          return true;
        },
        onText: (link, self) => onData(link, self.text()),
      });
      links.push(rec);
      return rec.callbacks;
    },
    onError: (code, message) => {
      throw new Error(`${code} ${message}`);
    },
  }, { hostname: "127.0.0.1" });
  return { server, links };
}

Deno.test({
  name:
    "startTlsClient talks to startTlsServer; data sent before the handshake waits for it",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const { server, links } = tlsServer(certs.cert, certs.key, (link, text) => {
      if (text.endsWith("\n")) link.send(`echo:${text}`);
    });
    const client = recorder({
      onConnected: (link) => {
        link.startTlsClient({
          caCerts: [certs.caCert],
          serverName: "localhost",
        });
        assert.equal(link.send("hello over "), true);
        assert.equal(link.send("tls\n"), true);
      },
      onText: (link, self) => {
        if (self.text() === "echo:hello over tls\n") link.shutdown();
      },
    });
    connect("127.0.0.1", server.getPort(), client.callbacks);
    const link = await client.terminal;
    assert.equal(client.text(), "echo:hello over tls\n");
    assert.deepEqual(client.events, ["connected", "data", "remoteClosed"]);
    await link.closed;
    await links[0].terminal;
    assert.deepEqual(links[0].events, ["data", "remoteClosed"]);
    server.close();
    await server.closed;
  },
});

Deno.test({
  name: "TLS data decrypted before EOF is delivered before onRemoteClosed",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const big = "x".repeat(200_000);
    const { server } = tlsServer(certs.cert, certs.key, (link, text) => {
      if (text === "go") {
        link.send(big);
        link.send("last words");
        link.shutdown();
      }
    });
    const client = recorder({
      onConnected: (link) => {
        link.startTlsClient({ caCerts: [certs.caCert] });
        link.send("go");
      },
    });
    connect("127.0.0.1", server.getPort(), client.callbacks);
    const link = await client.terminal;
    assert.equal(client.text(), big + "last words");
    assert.deepEqual(client.events, ["connected", "data", "remoteClosed"]);
    await link.closed;
    server.close();
    await server.closed;
  },
});

Deno.test({
  name:
    "a certificate from an unknown CA fails the client handshake through onError",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const { server, links } = tlsServer(certs.cert, certs.key, () => {});
    const client = recorder({
      onConnected: (link) => {
        link.startTlsClient({ caCerts: [certs.otherCaCert] });
        link.send("secret");
      },
    });
    connect("127.0.0.1", server.getPort(), client.callbacks);
    await client.terminal;
    assert.equal(client.events.length, 2);
    assert.equal(client.events[0], "connected");
    assert.match(client.events[1], /^error \S+: .*(certificate|issuer)/i);
    assert.equal(client.text(), "");
    await links[0].terminal;
    assert.equal(links[0].events.length, 1);
    assert.match(links[0].events[0], /^(error|remoteClosed)/);
    server.close();
    await server.closed;
  },
});

Deno.test({
  name: "a name mismatch fails the client handshake through onError",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const { server } = tlsServer(certs.cert, certs.key, () => {});
    const client = recorder({
      onConnected: (link) =>
        link.startTlsClient({
          caCerts: [certs.caCert],
          serverName: "other.example",
        }),
    });
    connect("127.0.0.1", server.getPort(), client.callbacks);
    await client.terminal;
    assert.equal(client.events.length, 2);
    assert.match(
      client.events[1],
      /^error \S+: .*(other\.example|name|altname)/i,
    );
    server.close();
    await server.closed;
  },
});

Deno.test("startTlsClient against a plain server fails through onError, never stalls", async () => {
  // The server answers the ClientHello with plain text.
  const server = listen(0, {
    onIncomingConnection: () => ({
      onReceivedData: (link) => link.send("HTTP/1.0 400 Not TLS\r\n\r\n"),
      onRemoteClosed: () => {},
      onError: () => {},
    }),
    onError: () => {},
  }, { hostname: "127.0.0.1" });
  const client = recorder({
    onConnected: (link) => link.startTlsClient({ timeout: 3000 }),
  });
  connect("127.0.0.1", server.getPort(), client.callbacks);
  await client.terminal;
  assert.equal(client.events.length, 2);
  assert.match(client.events[1], /^error /);
  assert.doesNotMatch(client.events[1], /TimeoutError/);
  server.close();
  await server.closed;
});

Deno.test({
  name: "startTlsServer times out a peer that never speaks TLS",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const rec = recorder();
    const server = listen(0, {
      onIncomingConnection: () => rec.callbacks,
      onAccepted: (link) =>
        link.startTlsServer(certs.cert, certs.key, { timeout: 300 }),
      onError: () => {},
    }, { hostname: "127.0.0.1" });
    using conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    await rec.terminal;
    assert.deepEqual(rec.events, [
      "error TimeoutError: Cannot complete TLS handshake: no answer within 300 ms",
    ]);
    assert.equal(await conn.read(new Uint8Array(8)), null);
    server.close();
    await server.closed;
  },
});

Deno.test({
  name: "TLS misuse throws at once: twice, bad PEM, wrong types",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const thrown: Array<[string, string]> = [];
    const done = Promise.withResolvers<void>();
    const server = listen(0, {
      onIncomingConnection: () => ({
        onReceivedData: () => {},
        onRemoteClosed: () => {},
        onError: () => {},
      }),
      onAccepted: (link) => {
        const attempts: Array<() => void> = [
          () => link.startTlsServer("not pem", "not pem"),
          () => link.startTlsServer(1 as unknown as string, certs.key),
          () =>
            link.startTlsServer(certs.cert, certs.key, {
              startData: "x" as unknown as Uint8Array,
            }),
          () => link.startTlsClient({ caCerts: "pem" as unknown as string[] }),
          () => link.startTlsClient({ timeout: 0 }),
          () => link.startTlsClient({ ownCert: certs.cert }),
          () => link.startTlsServer(certs.cert, certs.cert),
          () => link.startTlsServer(certs.cert, certs.key),
          () => link.startTlsClient(),
        ];
        for (const attempt of attempts) {
          try {
            attempt();
            thrown.push(["none", ""]);
          } catch (error) {
            const e = error as Error;
            thrown.push([e.name, e.message]);
          }
        }
        link.close();
        thrown.push(["closed", ""]);
        try {
          link.startTlsClient();
        } catch (error) {
          const e = error as Error;
          thrown.push([e.name, e.message]);
        }
        done.resolve();
      },
      onError: () => {},
    }, { hostname: "127.0.0.1" });
    using _conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    await done.promise;
    assert.deepEqual(thrown, [
      [
        "SyntaxError",
        "Cannot start TLS server: certPem is not a PEM certificate",
      ],
      [
        "TypeError",
        "Cannot start TLS server: certPem and keyPem must be PEM strings",
      ],
      ["TypeError", "Cannot start TLS server: startData must be a Uint8Array"],
      [
        "TypeError",
        "Cannot start TLS client: caCerts must be an array of strings",
      ],
      [
        "RangeError",
        "Cannot start TLS client: timeout 0 is out of range 1-2147483647",
      ],
      [
        "TypeError",
        "Cannot start TLS client: ownCert and ownPrivateKey go together",
      ],
      [
        "SyntaxError",
        "Cannot start TLS server: keyPem is not a PEM private key",
      ],
      ["none", ""],
      [
        "Error",
        "Cannot start TLS client: TLS is already started on this link",
      ],
      ["closed", ""],
      ["ConnectionClosedError", "Cannot start TLS client: link is closed"],
    ]);
    server.close();
    await server.closed;
  },
});

Deno.test("a peer that closes in mid-handshake gives one onError, not a timeout", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = recorder({
    onConnected: (link) => link.startTlsClient({ timeout: 4000 }),
  });
  connect("127.0.0.1", listener.addr.port, client.callbacks);
  const conn = await accepted;
  await conn.read(new Uint8Array(4096)); // the ClientHello
  conn.close();
  const link = await client.terminal;
  assert.deepEqual(client.events, [
    "connected",
    "error ECONNRESET: Cannot complete TLS handshake: the peer closed the connection",
  ]);
  await link.closed;
});

Deno.test({
  name:
    "random bytes instead of TLS give one terminal callback, never a hang (seeded)",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const random = mulberry32(0x5eed);
    const results: string[][] = [];
    const server = listen(0, {
      onIncomingConnection: () => {
        const events: string[] = [];
        results.push(events);
        let started = false;
        return {
          onReceivedData: (link, data) => {
            if (started) {
              events.push("data");
              return;
            }
            started = true;
            link.startTlsServer(certs.cert, certs.key, {
              startData: data,
              timeout: 300,
            });
          },
          onRemoteClosed: () => events.push("remoteClosed"),
          onError: () => events.push("error"),
        };
      },
      onError: () => {},
    }, { hostname: "127.0.0.1" });
    const cases = 40;
    for (let i = 0; i < cases; i++) {
      const length = 1 + Math.floor(random() * 2048);
      const garbage = new Uint8Array(length);
      for (let j = 0; j < length; j++) garbage[j] = Math.floor(random() * 256);
      // Every other case starts like a TLS handshake record.
      if (i % 2 === 1 && length > 5) garbage.set([0x16, 0x03, 0x01], 0);
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.getPort(),
      });
      await conn.write(garbage).catch(() => {});
      const buffer = new Uint8Array(4096);
      // The server ends the connection (alert, close or handshake timeout).
      while ((await conn.read(buffer).catch(() => null)) !== null) {
        // Discard whatever the server answered.
      }
      conn.close();
    }
    while (results.some((events) => events.length === 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(results.length, cases);
    for (const events of results) {
      assert.equal(events.length, 1, events.join());
      assert.ok(events[0] === "error" || events[0] === "remoteClosed");
    }
    server.close();
    await server.closed;
  },
});

Deno.test("random bytes answering a ClientHello give one onError, never a hang (seeded)", async () => {
  const random = mulberry32(0xc0ffee);
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  for (let i = 0; i < 20; i++) {
    const length = 1 + Math.floor(random() * 2048);
    const garbage = new Uint8Array(length);
    for (let j = 0; j < length; j++) garbage[j] = Math.floor(random() * 256);
    if (i % 2 === 1 && length > 5) garbage.set([0x16, 0x03, 0x03], 0);
    const accepted = listener.accept();
    const client = recorder({
      onConnected: (link) => link.startTlsClient({ timeout: 300 }),
    });
    connect("127.0.0.1", listener.addr.port, client.callbacks);
    const conn = await accepted;
    await conn.read(new Uint8Array(4096)); // the ClientHello
    await conn.write(garbage).catch(() => {});
    const link = await client.terminal;
    conn.close();
    assert.equal(client.events.length, 2, client.events.join());
    assert.match(client.events[1], /^error /);
    await link.closed;
  }
});

Deno.test({
  name:
    "startTlsServer takes an encrypted key with its password; a wrong password fails the link",
  ignore: opensslMissing !== undefined,
  fn: async () => {
    using certs = makeTestCertificates();
    const out = new Deno.Command("openssl", {
      args: [
        "pkcs8",
        "-topk8",
        "-in",
        certs.keyPath,
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:hunter2",
      ],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const encryptedKey = new TextDecoder().decode(out.stdout);
    assert.match(encryptedKey, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    for (const password of ["hunter2", "wrong"]) {
      const serverEvents: string[] = [];
      let started = false;
      const server = listen(0, {
        onIncomingConnection: () => ({
          onReceivedData: (link, data) => {
            if (!started) {
              started = true;
              try {
                link.startTlsServer(certs.cert, encryptedKey, {
                  startData: data,
                  ownPrivateKeyPassword: password,
                  timeout: 2000,
                });
              } catch (error) {
                serverEvents.push(`threw ${(error as Error).name}`);
                link.close();
              }
              return;
            }
            link.send(`pong:${decoder.decode(data)}`);
          },
          onRemoteClosed: () => serverEvents.push("remoteClosed"),
          onError: () => serverEvents.push("error"),
        }),
        onError: () => {},
      }, { hostname: "127.0.0.1" });
      const client = recorder({
        onConnected: (link) => {
          link.startTlsClient({ caCerts: [certs.caCert], timeout: 2000 });
          link.send("ping");
        },
        onText: (link, self) => {
          if (self.text() === "pong:ping") link.shutdown();
        },
      });
      connect("127.0.0.1", server.getPort(), client.callbacks);
      const link = await client.terminal;
      await link.closed;
      if (password === "hunter2") {
        assert.equal(client.text(), "pong:ping");
        assert.deepEqual(client.events, ["connected", "data", "remoteClosed"]);
      } else {
        // The key does not decrypt: the server link fails, the client sees
        // the connection go away in mid-handshake.
        assert.equal(client.text(), "");
        assert.deepEqual(client.events, [
          "connected",
          "error ECONNRESET: Cannot complete TLS handshake: the peer closed the connection",
        ]);
        assert.deepEqual(serverEvents, ["error"]);
      }
      server.close();
      await server.closed;
    }
  },
});
