// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { runExample } from "../_run_example.ts";

Deno.test("examples/mm_chat.ts runs and prints the conversation", async () => {
  const { code, stdout, stderr } = await runExample("mm_chat.ts");
  assert.equal(code, 0, stderr);
  const [first, ...rest] = stdout.split("\n");
  const match = first.match(
    /^chat server on 127\.0\.0\.1:(\d+) \(encrypted\): every line a client says is broadcast to everyone$/,
  );
  assert.ok(match, first);
  const port = Number(match[1]);
  assert.ok(port >= 1024 && port <= 65535, first);
  assert.deepEqual(rest, [
    "alice joined",
    "bob joined",
    "alice sees: <alice> Hello, bob!",
    "bob sees: <alice> Hello, bob!",
    "alice sees: <bob> Hi alice, nice wire.",
    "bob sees: <bob> Hi alice, nice wire.",
    "alice left",
    "bob left",
    "server closed",
    "",
  ]);
});
