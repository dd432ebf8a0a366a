// Copyright 2026 the moonwire authors. MIT license.
// TcpLink STARTTLS against real OpenSSL peers: startTlsClient talks to
// `openssl s_server` (with a throw-away CA made by openssl, a wrong CA, and a
// client certificate), and `openssl s_client` talks to startTlsServer.
import assert from "node:assert/strict";
import { connect } from "../../net/connect.ts";
import { listen } from "../../net/listen.ts";
import type { TcpLink } from "../../net/tcp_link.ts";
import { ignoreReason } from "../_tools.ts";
import { makeClientCertificate, makeTestCertificates } from "../_certs.ts";
import { recorder } from "../net/_link_recorder.ts";
import { startTlsServer } from "./_peer.ts";

const decoder = new TextDecoder();
const opensslMissing = ignoreReason("openssl");

Deno.test({
  name: "interop: startTlsClient exchanges data with openssl s_server",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    await using server = await startTlsServer(certs, ["-naccept", "1"]);
    let clientLink: TcpLink | undefined;
    const client = recorder({
      onConnected: (link) => {
        clientLink = link;
        link.startTlsClient({
          caCerts: [certs.caCert],
          serverName: "localhost",
        });
        link.send("hello moonwire\n"); // held until the handshake is done
      },
    });
    assert.equal(connect("127.0.0.1", server.port, client.callbacks), true);
    await client.waitText("\n");
    // s_server -rev answers each line reversed.
    assert.equal(client.text(), "eriwnoom olleh\n");
    assert.deepEqual(client.events, ["connected", "data"]);
    clientLink!.close();
    await clientLink!.closed;
    assert.deepEqual(client.events, ["connected", "data"]);
  },
});

Deno.test({
  name:
    "interop: a wrong CA fails startTlsClient against openssl s_server with a certificate error",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    await using server = await startTlsServer(certs, ["-naccept", "1"]);
    const client = recorder({
      onConnected: (link) => {
        link.startTlsClient({ caCerts: [certs.otherCaCert] });
        link.send("secret\n");
      },
    });
    connect("127.0.0.1", server.port, client.callbacks);
    const link = await client.terminal;
    assert.equal(client.events.length, 2);
    assert.match(client.events[1], /^error \S+: .*(certificate|issuer)/i);
    assert.equal(client.text(), "");
    await link.closed;
  },
});

Deno.test({
  name:
    "interop: startTlsClient presents a client certificate to openssl s_server -Verify",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const own = makeClientCertificate(certs.dir);
    await using server = await startTlsServer(certs, [
      "-Verify",
      "1",
      "-CAfile",
      certs.caCertPath,
      "-verify_return_error",
      "-naccept",
      "2",
    ]);

    let certLink: TcpLink | undefined;
    const withCert = recorder({
      onConnected: (link) => {
        certLink = link;
        link.startTlsClient({
          caCerts: [certs.caCert],
          ownCert: own.cert,
          ownPrivateKey: own.key,
        });
        link.send("with cert\n");
      },
    });
    connect("127.0.0.1", server.port, withCert.callbacks);
    await withCert.waitText("\n");
    assert.equal(withCert.text(), "trec htiw\n");
    // s_server logs the peer certificate; its output may lag the echo.
    for (let i = 0; i < 100 && !/Verification: OK/.test(server.output()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(server.output(), /Peer certificate: CN ?= ?moonwire client/);
    assert.match(server.output(), /Verification: OK/);

    // s_server serves one connection at a time: end this one first.
    certLink!.close();
    await certLink!.closed;

    // Without one, s_server refuses the handshake: no data, one onError.
    const without = recorder({
      onConnected: (link) => {
        link.startTlsClient({ caCerts: [certs.caCert] });
        link.send("no cert\n");
      },
    });
    connect("127.0.0.1", server.port, without.callbacks);
    const link = await without.terminal;
    assert.equal(without.text(), "");
    assert.equal(without.events.length, 2);
    assert.match(without.events[1], /^error \S+: .*certificate ?required/i);
    await link.closed;
  },
});

Deno.test({
  name: "interop: openssl s_client talks to startTlsServer",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const serverEvents: string[] = [];
    const serverDone = Promise.withResolvers<void>();
    const server = listen(0, {
      onIncomingConnection: () => {
        let started = false;
        return {
          onReceivedData: (link, data) => {
            if (!started) {
              // The ClientHello arrived in plain text: switch to TLS.
              started = true;
              serverEvents.push("starttls");
              link.startTlsServer(certs.cert, certs.key, { startData: data });
              return;
            }
            const line = decoder.decode(data);
            serverEvents.push(`data ${JSON.stringify(line)}`);
            link.send(`pong:${line}`);
          },
          onRemoteClosed: () => {
            serverEvents.push("remoteClosed");
            serverDone.resolve();
          },
          onError: (_link, code) => {
            serverEvents.push(`error ${code}`);
            serverDone.resolve();
          },
        };
      },
      onError: (code, message) =>
        serverEvents.push(`listen ${code} ${message}`),
    }, { hostname: "127.0.0.1" });
    const child = new Deno.Command("openssl", {
      args: [
        "s_client",
        "-connect",
        `127.0.0.1:${server.getPort()}`,
        "-servername",
        "localhost",
        "-verify_hostname",
        "localhost",
        "-CAfile",
        certs.caCertPath,
        "-verify_return_error",
        "-quiet",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    let output = "";
    let errors = "";
    const errorsDone = (async () => {
      for await (const chunk of child.stderr) errors += decoder.decode(chunk);
    })();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    try {
      await writer.write(new TextEncoder().encode("ping\n"));
      for await (const chunk of child.stdout) {
        output += decoder.decode(chunk);
        if (output.includes("\n")) break;
      }
      assert.equal(output, "pong:ping\n", errors);
    } finally {
      clearTimeout(timer);
      child.kill("SIGTERM");
      await writer.close().catch(() => {});
      await child.status;
      await errorsDone;
      await child.stdout.cancel().catch(() => {});
    }
    await serverDone.promise;
    assert.deepEqual(serverEvents.slice(0, 2), [
      "starttls",
      'data "ping\\n"',
    ]);
    assert.equal(serverEvents.length, 3);
    assert.match(serverEvents[2], /^(remoteClosed|error )/);
    assert.doesNotMatch(errors, /verify error/);
    server.close();
    await server.closed;
  },
});
