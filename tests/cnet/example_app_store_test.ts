// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";

Deno.test("examples/cnet_app_store.ts prints every step", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../examples/cnet_app_store.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.deepEqual(
    new TextDecoder().decode(output.stdout).trimEnd().split("\n"),
    [
      "server: hosting appstore with 2 apps",
      "client: register ann -> ok",
      "client: register ann again -> name taken",
      "client: connected",
      "client: publish before login -> 401 Unauthorized",
      "client: login with a wrong password -> false",
      "server: ann logged in",
      "client: login -> true",
      "client: list -> 200 editor, chess",
      `client: fetch 2 -> 200 chess "print('chess')" checksum ok: true`,
      "client: fetch 9 -> 404 Not Found",
      "client: publish paint -> 201 Created id 3",
      "client: list -> editor by admin, chess by admin, paint by ann",
      "client: PUT /apps -> 501 Not Implemented",
      "client: logout -> true",
      "client: disconnect acknowledged -> true",
    ],
  );
});
