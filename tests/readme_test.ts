// Copyright 2026 the moonwire authors. MIT license.
// Every ```ts block in README.md must run as it stands, so the README never
// shows code that does not work.
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

Deno.test("README has a TypeScript example per module", () => {
  for (const module of ["net", "mm", "cnet"]) {
    assert.ok(
      blocks.some((block) => block.includes(`"@moonwire/moonwire/${module}"`)),
      `no README example imports @moonwire/moonwire/${module}`,
    );
  }
});

for (const [index, block] of blocks.entries()) {
  const first = block.split("\n").find((line) => line.startsWith("import")) ??
    "";
  Deno.test(`README example ${index + 1} runs: ${first}`, async () => {
    const file = await Deno.makeTempFile({ suffix: ".ts" });
    try {
      await Deno.writeTextFile(file, block);
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          "--config",
          new URL("deno.json", root).pathname,
          file,
        ],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const out = await child.output();
      clearTimeout(timer);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    } finally {
      await Deno.remove(file);
    }
  });
}
