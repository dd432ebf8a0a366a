// Copyright 2026 the moonwire authors. MIT license.
// Only the NATS entry points (cnet/nats, mm/nats) load the NATS client: the
// module graphs of the other entry points have no @nats-io package, and only
// NATS entry point files import net/_nats_connection.ts.
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

async function graph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, root).pathname],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  // Only `modules` is the graph (`npmPackages` lists the whole lock file).
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier);
}

Deno.test("the NATS client is in the cnet/nats and mm/nats graphs and in no other entry point's", async () => {
  for (const entry of ["cnet/nats.ts", "mm/nats.ts"]) {
    const nats = await graph(entry);
    assert.ok(nats.some((s) => s.includes("@nats-io/transport-node")), entry);
  }
  for (
    const entry of [
      "mod.ts",
      "net/mod.ts",
      "cnet/mod.ts",
      "mm/mod.ts",
      "crypto/mod.ts",
    ]
  ) {
    const found = (await graph(entry)).filter((s) =>
      s.includes("@nats-io") || s.includes("_nats_connection")
    );
    assert.deepEqual(found, [], entry);
  }
});

Deno.test("only the NATS entry points' files import net/_nats_connection.ts", async () => {
  const importers: string[] = [];
  for (const folder of ["cnet", "net", "mm", "crypto"]) {
    for await (const entry of Deno.readDir(new URL(`${folder}/`, root))) {
      if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
      const text = await Deno.readTextFile(
        new URL(`${folder}/${entry.name}`, root),
      );
      if (/from "[^"]*_nats_connection\.ts"/.test(text)) {
        importers.push(`${folder}/${entry.name}`);
      }
    }
  }
  assert.deepEqual(importers.sort(), [
    "cnet/_nats_modem_options.ts",
    "cnet/nats.ts",
    "cnet/nats_modem.ts",
    "mm/nats.ts",
    "mm/nats_room.ts",
  ]);
});
