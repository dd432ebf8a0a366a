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

// What each block prints, as its comments say. The net block's "accepted"
// line races the client's "success" (two ends of one connection), so it is
// checked apart; everything else is exact, in order, with nothing on stderr.
const expected: Record<string, (stdout: string) => void> = {
  net(stdout) {
    const lines = stdout.split("\n");
    assert.equal(lines.pop(), "");
    const accepted = lines.indexOf("accepted 127.0.0.1");
    assert.notEqual(accepted, -1, stdout);
    lines.splice(accepted, 1);
    assert.deepEqual(lines, ["success", "hello", "127.0.0.1 left"]);
  },
  mm(stdout) {
    assert.match(
      stdout,
      /^connected: true in \d+\.\d{3} s\n\{ OpCode: 10, Data: "From client" \}\n$/,
    );
  },
  cnet(stdout) {
    assert.equal(stdout, 'true true true\n200 { id: "42", price: 3 }\n');
  },
};

function moduleOf(block: string): string | undefined {
  return /"@moonwire\/moonwire\/(\w+)"/.exec(block)?.[1];
}

Deno.test("README blocks are one per module, each with expected output", () => {
  assert.deepEqual(blocks.map(moduleOf), ["net", "mm", "cnet"]);
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
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.equal(stderr, "");
      const check = expected[moduleOf(block) ?? ""];
      assert.ok(check, `no expected output for README example ${index + 1}`);
      check(new TextDecoder().decode(out.stdout));
    } finally {
      await Deno.remove(file);
    }
  });
}
