// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { runExample, startExample } from "../_run_example.ts";
import { natsIgnore, startNatsCluster } from "../_nats_server.ts";

const CLIENT = [
  "client: found weather",
  "client: connected to weather",
  "client: GET /forecast/oslo -> oslo: sunny, 21 °C",
  'client: POST /reports -> {"ok":false,"error":"log in first"}',
  "client: login as ann: true",
  'client: POST /reports -> {"ok":true,"count":1}',
];

Deno.test({
  name:
    "examples/cnet_nats_cluster.ts starts a two-node NATS cluster and runs the server and the client on different nodes",
  ignore: natsIgnore !== undefined,
  async fn() {
    const { code, stdout, stderr } = await runExample("cnet_nats_cluster.ts");
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.split("\n"), [
      "server: hosting weather",
      ...CLIENT,
      "server: report from ann: light rain",
      "server: stopping after 1 report(s)",
      "done",
      "",
    ]);
  },
});

Deno.test({
  name:
    "examples/cnet_nats_cluster.ts server --nats / client --nats: the roles on NATS servers given by URL; the server stops on SIGTERM",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(2);
    await using server = startExample("cnet_nats_cluster.ts", [
      "server",
      "--nats",
      cluster.urls[0],
    ]);
    await server.waitFor("server: hosting weather\n");
    const client = await runExample("cnet_nats_cluster.ts", [
      "client",
      "--nats",
      cluster.urls.join(","),
    ]);
    assert.equal(client.code, 0, client.stderr);
    assert.deepEqual(client.stdout.split("\n"), [...CLIENT, ""]);
    await server.waitFor("server: report from ann: light rain\n");
    server.child.kill("SIGTERM");
    const { code, stdout } = await server.finish();
    assert.equal(code, 0);
    assert.match(stdout, /server: stopping after 1 report\(s\)\n$/);
  },
});
