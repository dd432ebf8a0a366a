// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";

Deno.test("examples/cnet_door.ts runs and prints the visit", async () => {
  const script = new URL("../../examples/cnet_door.ts", import.meta.url);
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
    "visitor: found front-door",
    "visitor: connected to front-door (unsigned certificate)",
    "visitor: open -> please log in",
    "door: guest logged in",
    "visitor: login as guest: true",
    "visitor: open -> guest may not open the door",
    "door: failed login for admin",
    "visitor: login as admin with a wrong password: false",
    "door: admin logged in",
    "visitor: login as admin: true (level 2)",
    "visitor: open -> the door opens",
    "done",
    "",
  ]);
});
