// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";

Deno.test("examples/mm_chat.ts runs and prints the conversation", async () => {
  const script = new URL("../../examples/mm_chat.ts", import.meta.url);
  const config = new URL("../../deno.json", import.meta.url);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config.pathname, script.pathname],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.deepEqual(new TextDecoder().decode(output.stdout).split("\n"), [
    "chat server on 127.0.0.1",
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
