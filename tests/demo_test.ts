// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("deno task demo: runs every section and prints each step", async () => {
  const { code, stdout, stderr } = await runExample("demo.ts");
  assert.equal(code, 0, stderr);
  const lines = stdout.split("\n");
  for (
    const expected of [
      "moonwire demo",
      "  - verified with the CA key: true",
      "  - same signature under another name verifies: false",
      '  - server opened it: "hello, moonwire"',
      '  - hostnameToIp("localhost") → 127.0.0.1',
      "  - resolveAddress → success",
      "  - openTcp → success",
      "  - write accepted 15 bytes, 0 pending after drain",
      `  - read the callback server's answer: "POLLING SAYS HI"`,
      "  - server link got onRemoteClosed",
      "  - server sees 2 connections",
      '  - server received {"OpCode":10,"Data":"hello from alice"}',
      "  - broadcast reached 2 clients",
      '  - alice got {"OpCode":11,"Data":"welcome, everyone"}',
      '  - bob got {"OpCode":11,"Data":"welcome, everyone"}',
      "  - bob left; server sees 1 connection",
      "demo complete",
    ]
  ) {
    assert.ok(
      lines.includes(expected),
      `missing line ${JSON.stringify(expected)} in:\n${stdout}`,
    );
  }
  // The cnet section prints its title's steps, each once, in this order.
  const start = lines.indexOf(
    "cnet: CA-signed server, impostor, discovery, login, CTCP/CTTP",
  );
  assert.ok(start >= 0, stdout);
  assert.deepEqual(
    lines.slice(start + 1, lines.indexOf("", start)).map((line) =>
      line.replace(/channel \d+/, "channel N")
    ),
    [
      '  - bank hosts "bank" on channel N with a CA-signed certificate',
      '  - an impostor hosts "bank" too, with an unsigned certificate',
      '  - discover() found 2 servers named "bank"',
      '  - connect("bank") → Noise_NX_25519_ChaChaPoly_SHA256, certificate verified: true',
      "  - connected to the real bank (its key matches): true",
      "  - login as ann: true, level 2",
      "  - connectCtcp: SYN / SYN-ACK / ACK done",
      "  - GET /balance/ann before login → 401 Unauthorized",
      "  - login over CTCP: true",
      '  - GET /balance/ann → 200 {"name":"ann","balance":42}',
      "  - GET /vault → 404 Not Found",
      "  - disconnectCtcp: FIN acknowledged true",
    ],
  );
});
