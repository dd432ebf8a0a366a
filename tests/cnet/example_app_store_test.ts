// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { runExample } from "../_run_example.ts";

Deno.test("examples/cnet_app_store.ts prints every step", async () => {
  const { code, stdout, stderr } = await runExample("cnet_app_store.ts");
  assert.equal(code, 0, stderr);
  assert.deepEqual(
    stdout.trimEnd().split("\n"),
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
