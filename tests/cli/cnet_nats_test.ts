// Copyright 2026 the moonwire authors. MIT license.
// The cnet commands with --modem nats: a host and its clients as separate
// processes, each with its own NatsModem, on two nodes of a real NATS
// cluster (host on one node, clients on the other).
import assert from "node:assert/strict";
import { natsIgnore, startNatsCluster } from "../_nats_server.ts";
import { runCli, startCli } from "./_run_cli.ts";

Deno.test({
  name:
    "cli: cnet host, discover, get and send over --modem nats on a two-node cluster; an unreachable --nats fails with the servers named",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(2);
    const dir = await Deno.makeTempDir();
    try {
      for (const sub of ["srv", "cli", "site"]) {
        await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
      }
      await Deno.writeTextFile(`${dir}/site/hello.txt`, "hello over nats\n");
      await using host = startCli([
        "cnet",
        "host",
        "shop",
        "--dir",
        `${dir}/srv`,
        "--serve",
        `${dir}/site`,
        "--modem",
        "nats",
        "--nats",
        cluster.urls[0],
      ]);
      const ready = await host.waitFor(
        "stderr",
        /^cnet host shop ready on nats 127\.0\.0\.1:(\d+), channel (\d+), certificate (\S+) unsigned, serving /m,
      );
      assert.equal(Number(ready[1]), cluster.servers[0].port);
      const client = [
        "--dir",
        `${dir}/cli`,
        "--modem",
        "nats",
        "--nats",
        cluster.urls[1],
      ];
      const found = await runCli([
        "cnet",
        "discover",
        ...client,
        "--timeout",
        "1",
        "--json",
      ]);
      assert.equal(found.code, 0, found.stderr);
      assert.deepEqual(JSON.parse(found.stdout), {
        servers: [{
          name: "shop",
          fingerprint: ready[3],
          signed: false,
          valid: null,
        }],
      });
      const file = await runCli([
        "cnet",
        "get",
        "shop",
        "/hello.txt",
        ...client,
      ]);
      assert.equal(file.code, 0, file.stderr);
      assert.equal(file.stdout, "hello over nats\n");
      assert.equal(file.stderr, "");
      await host.waitFor("stderr", /^GET \/hello\.txt 200$/m);
      const sent = await runCli([
        "cnet",
        "send",
        "shop",
        "hello, shop",
        ...client,
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      await host.waitFor("stdout", /^hello, shop$/m);

      const refused = await runCli([
        "cnet",
        "get",
        "shop",
        "/hello.txt",
        "--dir",
        `${dir}/cli`,
        "--modem",
        "nats",
        "--nats",
        "nats://127.0.0.1:1",
      ]);
      assert.equal(refused.code, 1);
      assert.equal(
        refused.stderr,
        "moonwire cnet get: Cannot connect NATS modem: no NATS server answered at nats://127.0.0.1:1 (connection refused)\n",
      );
      const stopped = await host.stop();
      assert.match(stopped.stderr, /SIGTERM: stopping cnet host shop\n$/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
