// Copyright 2026 the moonwire authors. MIT license.
// The delivery guarantee of the callback TcpLink (DESIGN §3): what send()
// accepted (returned true) arrives exactly once and in order whatever the
// program does between two sends (tests/_schedule.ts), in both directions,
// plain and over STARTTLS; shutdown() and ServerHandle.close() deliver
// everything sent before them, then the peer's terminal callback runs.
import assert from "node:assert/strict";
import { connect } from "../../net/connect.ts";
import { listen } from "../../net/listen.ts";
import type { LinkCallbacks, TcpLink } from "../../net/tcp_link.ts";
import type { ServerHandle } from "../../net/server_handle.ts";
import { type Pause, pauses } from "../_schedule.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates, type TestCertificates } from "../_certs.ts";
import {
  fewerPauses,
  Inbox,
  randomSchedule,
  sweepBothWays,
  utf8,
  within,
} from "./_delivery.ts";

const opensslMissing = ignoreReason("openssl");

interface LinkEnd {
  link: TcpLink;
  inbox: Inbox;
  /** Terminal callbacks, in order: "remoteClosed" or "error CODE". */
  terminals: string[];
}

function endCallbacks(
  inbox: Inbox,
  terminals: string[],
  onData?: (link: TcpLink, data: Uint8Array) => boolean,
): Omit<LinkCallbacks, "onConnected"> {
  return {
    onReceivedData: (link, data) => {
      if (onData?.(link, data)) return;
      inbox.push(data);
    },
    onRemoteClosed: () => {
      terminals.push("remoteClosed");
      inbox.end();
    },
    onError: (_link, code, message) => {
      terminals.push(`error ${code}`);
      inbox.end(new Error(`${code} ${message}`));
    },
  };
}

// A client link and the server's link for it; with `certs`, both run TLS
// (the client starts it at once, the server on the ClientHello) and one
// exchange makes sure both handshakes are done.
async function linkPair(certs?: TestCertificates): Promise<{
  ends: [LinkEnd, LinkEnd];
  server: ServerHandle;
}> {
  const serverInbox = new Inbox();
  const serverTerminals: string[] = [];
  const serverLink = Promise.withResolvers<TcpLink>();
  let plain = true;
  const server = listen(0, {
    onIncomingConnection: () =>
      endCallbacks(serverInbox, serverTerminals, (link, data) => {
        if (certs === undefined || !plain) return false;
        // The first bytes are the ClientHello: hand them to TLS.
        plain = false;
        link.startTlsServer(certs.cert, certs.key, { startData: data });
        return true;
      }),
    onAccepted: (link) => serverLink.resolve(link),
    onError: (code, message) =>
      serverLink.reject(new Error(`${code} ${message}`)),
  }, { hostname: "127.0.0.1" });
  const clientInbox = new Inbox();
  const clientTerminals: string[] = [];
  const clientLink = Promise.withResolvers<TcpLink>();
  const queued = connect("127.0.0.1", server.getPort(), {
    ...endCallbacks(clientInbox, clientTerminals),
    onConnected: (link) => {
      if (certs) {
        link.startTlsClient({
          caCerts: [certs.caCert],
          serverName: "localhost",
        });
      }
      clientLink.resolve(link);
    },
    onError: (_link, code, message) =>
      clientLink.reject(new Error(`${code} ${message}`)),
  });
  assert.equal(queued, true);
  const ends: [LinkEnd, LinkEnd] = [
    {
      link: await clientLink.promise,
      inbox: clientInbox,
      terminals: clientTerminals,
    },
    {
      link: await serverLink.promise,
      inbox: serverInbox,
      terminals: serverTerminals,
    },
  ];
  if (certs) {
    ends[0].link.send("hello;");
    await ends[1].inbox.until("hello;", "TLS hello client→server");
    ends[1].link.send("hello;");
    await ends[0].inbox.until("hello;", "TLS hello server→client");
  }
  return { ends, server };
}

async function closePair(
  ends: LinkEnd[],
  server: ServerHandle,
): Promise<void> {
  for (const { link } of ends) link.close();
  server.close();
  await Promise.all([...ends.map(({ link }) => link.closed), server.closed]);
}

type Sender = (link: TcpLink, text: string) => void;

const senders: Record<string, Sender> = {
  "send(string)": (link, text) => assert.equal(link.send(text), true),
  "send(bytes)": (link, text) => assert.equal(link.send(utf8(text)), true),
};

// For every sender and pause: send, pause, send, both directions.
function sweep(ends: [LinkEnd, LinkEnd], list: Pause[]): Promise<void> {
  const received = [ends[0].inbox.text, ends[1].inbox.text];
  return sweepBothWays(senders, list, {
    send: (send, from, text) => send(ends[from].link, text),
    expect: (to, text, what) =>
      ends[to].inbox.until(received[to] += text, what),
  });
}

Deno.test("TcpLink delivers send, pause, send at every pause, both directions", async () => {
  const { ends, server } = await linkPair();
  await sweep(ends, pauses());
  await closePair(ends, server);
});

Deno.test({
  name: "TcpLink over STARTTLS delivers send, pause, send, both directions",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const { ends, server } = await linkPair(certs);
    await sweep(ends, fewerPauses());
    await closePair(ends, server);
  },
});

// send, pause, send, pause, shutdown from `from`: the other end gets all of
// it, then onRemoteClosed; its link closes then, so `from` sees the end too.
async function shutdownAfterPause(
  certs: TestCertificates | undefined,
  pause: Pause,
  from: 0 | 1,
): Promise<void> {
  const what = `${certs ? "TLS" : "plain"}, ${pause.name}, ${
    from === 0 ? "client" : "server"
  } shuts down`;
  const { ends, server } = await linkPair(certs);
  const to = from === 0 ? 1 : 0;
  const before = ends[to].inbox.text;
  senders["send(string)"](ends[from].link, "a;");
  await pause.wait();
  senders["send(bytes)"](ends[from].link, "b;");
  await pause.wait();
  ends[from].link.shutdown();
  assert.equal(ends[from].link.send("late"), false, what);
  await ends[to].inbox.untilEnd(before + "a;b;", what);
  assert.deepEqual(ends[to].terminals, ["remoteClosed"], what);
  // The seed: after OnRemoteClosed the link is closed and sends are lost,
  // so send() says false; the link releases its socket gracefully and the
  // end that shut down sees the end of stream.
  const back = ends[from].inbox.text;
  assert.equal(ends[to].link.send("bye;"), false, what);
  await ends[from].inbox.untilEnd(back, `${what}, reply`);
  assert.deepEqual(ends[from].terminals, ["remoteClosed"], what);
  await closePair(ends, server);
}

Deno.test("TcpLink shutdown after a pause delivers everything, then onRemoteClosed", async () => {
  for (const pause of pauses()) {
    for (const from of [0, 1] as const) {
      await shutdownAfterPause(undefined, pause, from);
    }
  }
});

Deno.test({
  name:
    "TcpLink over STARTTLS: shutdown after a pause delivers everything, then onRemoteClosed",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    for (const pause of fewerPauses()) {
      for (const from of [0, 1] as const) {
        await shutdownAfterPause(certs, pause, from);
      }
    }
  },
});

Deno.test({
  name:
    "TcpLink sends made before the TLS handshake, across a pause, arrive after it",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    for (const pause of fewerPauses()) {
      const what = `before the handshake, ${pause.name}`;
      let plain = true;
      const inbox = new Inbox();
      const server = listen(0, {
        onIncomingConnection: () =>
          endCallbacks(inbox, [], (link, data) => {
            if (!plain) return false;
            plain = false;
            link.startTlsServer(certs.cert, certs.key, { startData: data });
            return true;
          }),
        onError: () => {},
      }, { hostname: "127.0.0.1" });
      const linked = Promise.withResolvers<TcpLink>();
      connect("127.0.0.1", server.getPort(), {
        ...endCallbacks(new Inbox(), []),
        onConnected: async (link) => {
          link.startTlsClient({
            caCerts: [certs.caCert],
            serverName: "localhost",
          });
          link.send("a;");
          await pause.wait();
          link.send("b;");
          link.shutdown();
          linked.resolve(link);
        },
      });
      const link = await linked.promise;
      await inbox.untilEnd("a;b;", what);
      link.close();
      server.close();
      await Promise.all([link.closed, server.closed]);
    }
  },
});

Deno.test("ServerHandle.close after a pause flushes what its links sent, then the client's terminal callback", async () => {
  for (const pause of pauses()) {
    const what = `server close, ${pause.name}`;
    const { ends, server } = await linkPair();
    senders["send(string)"](ends[1].link, "a;");
    await pause.wait();
    senders["send(bytes)"](ends[1].link, "b;");
    await pause.wait();
    server.close();
    await ends[0].inbox.untilEnd("a;b;", what);
    assert.deepEqual(ends[0].terminals, ["remoteClosed"], what);
    // The seed: closing the server handle closes its links.
    assert.deepEqual(ends[1].terminals, ["error ECONNABORTED"], what);
    await within(server.closed, `${what}: server closed`);
    await closePair(ends, server);
  }
});

Deno.test("TcpLink delivers a seeded random mix of sends and pauses in order, both directions", async () => {
  const { ends, server } = await linkPair();
  await randomSchedule("tcp link random schedule", senders, {
    send: (send, from, text) => send(ends[from].link, text),
    expect: (to, text, what) => ends[to].inbox.until(text, what),
  });
  await closePair(ends, server);
});
