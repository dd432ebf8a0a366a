// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { runExample } from "../_run_example.ts";

Deno.test("examples/cnet_door.ts runs and prints the visit", async () => {
  const { code, stdout, stderr } = await runExample("cnet_door.ts");
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.split("\n"), [
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
