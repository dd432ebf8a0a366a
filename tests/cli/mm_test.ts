// Copyright 2026 the moonwire authors. MIT license.
// An mm hub (`mm serve`) with two listening clients (`mm listen`) and tables
// sent by `mm send`, each its own process: every table reaches both
// listeners once, in order, byte strings included.
import assert from "node:assert/strict";
import { runCli, startCli } from "./_run_cli.ts";

const KEY = "0C03EA65238DD2C25EB87CE563868098";

Deno.test("cli: mm hub relays to two listeners, encrypted, --json lines parse", async () => {
  await using hub = startCli(["mm", "serve", "--key", KEY, "--json"]);
  const ready = JSON.parse(
    (await hub.waitFor("stdout", /^\{"event":"ready".*\}$/m))[0],
  );
  assert.equal(ready.address, "127.0.0.1");
  assert.equal(ready.encrypted, true);
  const port = `${ready.port}`;

  await using plain = startCli([
    "mm",
    "listen",
    "127.0.0.1",
    port,
    "--key",
    KEY,
  ]);
  await using json = startCli([
    "mm",
    "listen",
    "127.0.0.1",
    port,
    "--key",
    KEY,
    "--json",
  ]);
  await plain.waitFor("stderr", /^mm listen connected to 127\.0\.0\.1:\d+$/m);
  await json.waitFor("stdout", /^\{"event":"ready"/m);

  const tables = ['{"say":"hello","n":[1,2.5]}', '[true,{"$base64":"AAH/"}]'];
  for (const table of tables) {
    const sent = await runCli([
      "mm",
      "send",
      "127.0.0.1",
      port,
      table,
      "--key",
      KEY,
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout, `sent to 127.0.0.1:${port}\n`);
  }
  await plain.waitFor("stdout", /AAH/);
  await json.waitFor("stdout", /AAH/);

  // A wrong key is refused by the handshake: exit 1 with the reason.
  const wrong = await runCli([
    "mm",
    "send",
    "127.0.0.1",
    port,
    "{}",
    "--key",
    "11".repeat(16),
    "--timeout",
    "2",
  ]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^moonwire mm send: Cannot .*\n$/);

  const plainEnd = await plain.stop("SIGTERM");
  assert.equal(plainEnd.code, 0, plainEnd.stderr);
  assert.equal(
    plainEnd.stdout,
    '{"say":"hello","n":[1,2.5]}\n[true,{"$base64":"AAH/"}]\n',
  );
  assert.match(plainEnd.stderr, /SIGTERM: stopping mm listen\n$/);

  const hubEnd = await hub.stop("SIGINT");
  assert.equal(hubEnd.code, 0, hubEnd.stderr);
  const events = hubEnd.stdout.trim().split("\n").map((line) =>
    JSON.parse(line)
  );
  const received = events.filter((event) => event.event === "receive");
  assert.deepEqual(received.map((event) => event.packet), [
    { say: "hello", n: [1, 2.5] },
    [true, { $base64: "AAH/" }],
  ]);
  // Each relayed to the two listeners and to the sender itself.
  assert.deepEqual(received.map((event) => event.relayed), [3, 3]);

  // The JSON listener ends with the hub; its tables are what was sent.
  const jsonEnd = await json.stop();
  assert.equal(jsonEnd.code, 0, jsonEnd.stderr);
  assert.deepEqual(
    jsonEnd.stdout.trim().split("\n").map((line) => JSON.parse(line)).slice(1),
    [
      { event: "receive", packet: { say: "hello", n: [1, 2.5] } },
      { event: "receive", packet: [true, { $base64: "AAH/" }] },
    ],
  );
  assert.match(jsonEnd.stderr, /^server 127\.0\.0\.1:\d+ closed\n$/);
});

Deno.test("cli: mm send to a port nobody listens on exits 1 with the reason", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const result = await runCli([
    "mm",
    "send",
    "127.0.0.1",
    `${port}`,
    "{}",
    "--timeout",
    "1",
  ]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    new RegExp(
      `^moonwire mm send: Cannot connect to 127\\.0\\.0\\.1:${port}: .*\\n$`,
    ),
  );
  assert.equal(result.stdout, "");
});
