// Copyright 2026 the moonwire authors. MIT license.
// Type tests: tests/types/pass/*.ts must type-check; each
// tests/types/fail/*.ts must fail with exactly one error, the TypeScript
// code and message its "// expect TSxxxx: message" line names. The fail
// folder is in deno.json's `exclude` (so `deno check .` stays green), which
// also hides it from a `deno check` given its path: the fail files are
// checked under a copy of deno.json without that exclude.
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

const root = fromFileUrl(new URL("../../", import.meta.url));
const types = `${root}tests/types/`;

async function check(
  args: string[],
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...args],
    cwd: root,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

interface Reported {
  code: string;
  message: string;
  file: string;
}

// Splits deno check output into its errors: "TS2322 [ERROR]: message", the
// elaboration and source lines, then "at file:///path:line:col".
function errors(output: string): Reported[] {
  const found: Reported[] = [];
  const pattern =
    /^(TS\d+) \[ERROR\]: ([\s\S]*?)^\s+at (file:\/\/\S+?):\d+:\d+$/gm;
  for (const [, code, message, url] of output.matchAll(pattern)) {
    found.push({ code, message, file: fromFileUrl(url) });
  }
  return found;
}

Deno.test("tests/types/pass/*.ts type-check", async () => {
  const { code, output } = await check(["--frozen", `${types}pass/`]);
  assert.deepEqual(errors(output), []);
  assert.equal(code, 0, output);
});

Deno.test("each tests/types/fail/*.ts fails with its expected error", async () => {
  const expected = new Map<string, { code: string; message: string }>();
  for await (const entry of Deno.readDir(`${types}fail`)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const file = `${types}fail/${entry.name}`;
    const match = /^\/\/ expect (TS\d+): (.+)$/m.exec(
      await Deno.readTextFile(file),
    );
    assert.ok(match, `${entry.name} has no "// expect TSxxxx: message" line`);
    expected.set(file, { code: match[1], message: match[2] });
  }
  assert.ok(expected.size >= 10, `only ${expected.size} fail files`);
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  config.exclude = (config.exclude as string[]).filter((path) =>
    !path.startsWith("tests/types/fail")
  );
  // The copy sits in the project folder so that its paths mean the same.
  const copy = await Deno.makeTempFile({
    dir: root,
    prefix: ".types_test_",
    suffix: ".json",
  });
  try {
    await Deno.writeTextFile(copy, JSON.stringify(config));
    const { code, output } = await check([
      "--config",
      copy,
      "--lock",
      `${root}deno.lock`,
      "--frozen",
      ...expected.keys(),
    ]);
    assert.equal(code, 1, output);
    const reported = errors(output);
    for (const [file, want] of expected) {
      const got = reported.filter((error) => error.file === file);
      assert.equal(got.length, 1, `${file}: ${JSON.stringify(got)}`);
      assert.equal(got[0].code, want.code, `${file}: ${got[0].message}`);
      assert.ok(
        got[0].message.includes(want.message),
        `${file}: expected "${want.message}" in:\n${got[0].message}`,
      );
    }
    assert.equal(reported.length, expected.size, output);
  } finally {
    await Deno.remove(copy);
  }
});
