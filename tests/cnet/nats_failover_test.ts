// Copyright 2026 the moonwire authors. MIT license.
// Failover on a 3-node NATS cluster while CTTP requests flow over CTCP: the
// node the client's modem is on is killed (SIGKILL), then the node it moved
// to is stopped (SIGSTOP, a hung node). Each time the modem reports the
// reconnect to another node within 5 s, and CTCP loses nothing: every
// request is answered, once, in order.
import assert from "node:assert/strict";
import { CNetNode, CttpRequest } from "../../cnet/mod.ts";
import { NatsModem, type NatsStatus } from "../../cnet/nats.ts";
import {
  natsIgnore,
  startNatsCluster,
  startNatsServer,
} from "../_nats_server.ts";
import { until } from "./_cryptonet_fixtures.ts";

// A retransmission backoff capped at 0.5 s, so CTCP resumes soon after the
// modem has reconnected (the default cap is 4 s).
const ctcp = { maxRetransmitTimeout: 0.5, maxRetransmits: 40 };

Deno.test({
  name:
    "NatsModem failover: SIGKILL and then SIGSTOP of the client's node; it reconnects to another node within 5 s each time and CTCP loses nothing",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(3);
    const directory = await Deno.makeTempDir({ prefix: "nats_failover_" });
    const statuses: { at: number; status: NatsStatus }[] = [];
    await using serverNode = new CNetNode({
      directory,
      ctcp,
      modems: { top: await NatsModem.connect(cluster.urls[0]) },
    });
    const clientModem = await NatsModem.connect(cluster.urls.slice(1), {
      onStatus: (status) => statuses.push({ at: performance.now(), status }),
    });
    await using clientNode = new CNetNode({
      directory,
      ctcp,
      modems: { top: clientModem },
    });
    try {
      await serverNode.host("failover-door");
      const order: number[] = [];
      serverNode.setRestApi("GET", "/n", ([i]) => {
        order.push(Number(i));
        return Number(i);
      });
      const connection = await clientNode.connectCtcp("failover-door", {
        timeout: 10,
      });
      const answers: (number | null)[] = [];
      const answeredAt: number[] = [];
      let running = true;
      const traffic = (async () => {
        for (let i = 0; running; i++) {
          const { response } = await clientNode.sendCttpRequest(
            connection,
            new CttpRequest("GET", `/n/${i}`),
            { timeout: 30 },
          );
          answers.push(response === null ? null : response.data as number);
          answeredAt.push(performance.now());
        }
      })();
      const nodeOf = (server: string) =>
        cluster.servers.find((node) => server === `127.0.0.1:${node.port}`)!;

      const outage = async (
        signal: "SIGKILL" | "SIGSTOP",
      ): Promise<{ reconnect: number; resume: number }> => {
        const before = answers.length;
        await until(() => answers.length >= before + 30, 10_000, "traffic");
        const node = nodeOf(clientModem.server);
        const from = statuses.length;
        const started = performance.now();
        node.kill(signal);
        await until(
          () => statuses.slice(from).some((s) => s.status.type === "reconnect"),
          10_000,
          `reconnect after ${signal}`,
        );
        const reconnect = statuses.slice(from).find((s) =>
          s.status.type === "reconnect"
        )!;
        assert.notEqual(clientModem.server, `127.0.0.1:${node.port}`);
        const types = statuses.slice(from).map((s) => s.status.type);
        assert.equal(types[0], signal === "SIGSTOP" ? "stale" : "disconnect");
        // Traffic goes on after the move.
        const after = answers.length;
        await until(() => answers.length >= after + 30, 10_000, "resumed");
        const resumed = answeredAt.find((at) => at > reconnect.at)!;
        return { reconnect: reconnect.at - started, resume: resumed - started };
      };

      const afterKill = await outage("SIGKILL");
      const afterStop = await outage("SIGSTOP");
      running = false;
      await traffic;
      for (
        const [signal, times] of [["SIGKILL", afterKill], [
          "SIGSTOP",
          afterStop,
        ]] as const
      ) {
        // Within 5 s the modem is on another node and CTTP is answered again.
        assert.ok(
          times.reconnect < 5000 && times.resume < 5000,
          `${signal}: reconnected after ${times.reconnect} ms, answered again after ${times.resume} ms`,
        );
      }
      // Every request answered with its own number, each handled once, in order.
      assert.deepEqual(answers, answers.map((_, i) => i));
      assert.deepEqual(order, answers);
      const ms = (value: number) => `${value.toFixed(0)} ms`;
      console.log(
        `SIGKILL: reconnected ${ms(afterKill.reconnect)}, CTTP answered again ${
          ms(afterKill.resume)
        }; SIGSTOP: reconnected ${ms(afterStop.reconnect)}, answered again ${
          ms(afterStop.resume)
        }; ${answers.length} requests answered`,
      );
      await clientNode.disconnectCtcp(connection);
    } finally {
      await clientNode.close();
      await serverNode.close();
      await cluster.stop();
      await Deno.remove(directory, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "NatsModem failover: a hung (SIGSTOPped) node is never dialed again first; the modem is on the other node within 4 s with one reconnect attempt",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(2);
    const [hung, healthy] = cluster.servers;
    const statuses: NatsStatus[] = [];
    await using modem = await NatsModem.connect(hung.url, {
      onStatus: (status) => statuses.push(status),
    });
    // The hung node's INFO told the client about the other node.
    const started = performance.now();
    hung.kill("SIGSTOP");
    await until(
      () => statuses.some((s) => s.type === "reconnect"),
      10_000,
      "reconnect",
    );
    const elapsed = performance.now() - started;
    assert.deepEqual(statuses, [
      { type: "stale" },
      { type: "disconnect", server: `127.0.0.1:${hung.port}` },
      { type: "reconnecting" },
      { type: "reconnect", server: `127.0.0.1:${healthy.port}` },
    ]);
    assert.equal(modem.server, `127.0.0.1:${healthy.port}`);
    // 2 unanswered pings at 1 s, then straight to the healthy node (before,
    // the client dialed the hung node first and waited out its 2 s connect
    // timeout: about 5 s).
    assert.ok(elapsed < 4000, `reconnected after ${elapsed} ms`);
  },
});

Deno.test({
  name:
    "NatsModem failover: transmissions accepted while the connection is down are sent after the reconnect, in order",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(2);
    const [doomed, survivor] = cluster.servers;
    await using receiver = await NatsModem.connect(survivor.url);
    receiver.open(9);
    await receiver.flush();
    const heard: number[] = [];
    receiver.subscribe((message) => heard.push(message.payload[0]));
    const statuses: NatsStatus[] = [];
    await using sender = await NatsModem.connect(doomed.url, {
      onStatus: (status) => statuses.push(status),
    });
    sender.transmit(9, 0, new Uint8Array([1]));
    await until(() => heard.length === 1, 5000, "the first message");
    doomed.kill("SIGKILL");
    await until(() => statuses.length > 0, 5000, "disconnect");
    assert.equal(statuses[0].type, "disconnect");
    // The client buffers these until it is connected again.
    for (let i = 2; i <= 5; i++) sender.transmit(9, 0, new Uint8Array([i]));
    await until(() => heard.length === 5, 5000, "the buffered messages");
    assert.deepEqual(heard, [1, 2, 3, 4, 5]);
    assert.deepEqual(statuses.at(-1), {
      type: "reconnect",
      server: `127.0.0.1:${survivor.port}`,
    });
  },
});

Deno.test({
  name:
    "NatsModem failover: with no node left, held transmissions are bounded by maxPendingBytes (RangeError beyond) and counted as lost when the modem closes",
  ignore: natsIgnore !== undefined,
  async fn() {
    const server = await startNatsServer();
    const statuses: NatsStatus[] = [];
    const modem = await NatsModem.connect(server.url, {
      maxPendingBytes: 100,
      onStatus: (status) => statuses.push(status),
    });
    await server.stop();
    await until(() => statuses.length > 0, 5000, "disconnect");
    modem.transmit(1, 1, new Uint8Array(40)); // 52 bytes held
    modem.transmit(1, 1, new Uint8Array(30)); // 42 more: 94
    assert.throws(() => modem.transmit(1, 1, new Uint8Array(0)), {
      name: "RangeError",
      message:
        "Cannot transmit: the NATS connection is down and 94 bytes are waiting (maxPendingBytes 100)",
    });
    const started = performance.now();
    modem.close();
    await modem.closed;
    // close() gave the reconnect 2 s to come.
    assert.ok(performance.now() - started >= 1900);
    assert.deepEqual(modem.stats, {
      sent: 2,
      delivered: 0,
      dropped: 0,
      lost: 2,
    });
  },
});
