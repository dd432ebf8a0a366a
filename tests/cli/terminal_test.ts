// Copyright 2026 the moonwire authors. MIT license.
// On a terminal (a pseudo-terminal from util-linux `script`): the live
// progress line is drawn and erased on stderr, dim unless NO_COLOR is set,
// and a password prompt does not echo what is typed.
import assert from "node:assert/strict";
import { ignoreReason } from "../_tools.ts";
import { freeUdpPorts } from "./_run_cli.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const SCRIPT = new URL("../../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const ignore = ignoreReason("script");

/** Runs `moonwire ...args` on a pseudo-terminal; answers each prompt in turn. */
async function onTerminal(
  args: string[],
  env: Record<string, string>,
  answers: [RegExp, string][] = [],
): Promise<{ code: number; output: string }> {
  const line = [
    Deno.execPath(),
    "run",
    "-A",
    "--config",
    CONFIG,
    SCRIPT,
    ...args,
  ]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    // Only what is given: the test runner's own NO_COLOR must not leak in.
    clearEnv: true,
    env: {
      ...Object.fromEntries(
        ["PATH", "HOME", "DENO_DIR"].flatMap((name) => {
          const value = Deno.env.get(name);
          return value === undefined ? [] : [[name, value]];
        }),
      ),
      DENO_NO_UPDATE_CHECK: "1",
      TERM: "xterm",
      ...env,
    },
  }).spawn();
  const writer = child.stdin.getWriter();
  let output = "";
  let answered = 0;
  for await (const chunk of child.stdout) {
    output += decoder.decode(chunk);
    const next = answers[answered];
    if (next !== undefined && next[0].test(output)) {
      answered++;
      await writer.write(encoder.encode(next[1]));
    }
  }
  await writer.close().catch(() => {});
  return { code: (await child.status).code, output };
}

Deno.test({
  name: "cli: the live line is drawn only on a terminal, dim unless NO_COLOR",
  ignore: ignore !== undefined,
  async fn() {
    const [port] = freeUdpPorts(1);
    const args = [
      "cnet",
      "discover",
      "--peers",
      `127.0.0.1:${port}`,
      "--timeout",
      "0.2",
    ];
    const plain = await onTerminal(args, { NO_COLOR: "1" });
    assert.equal(plain.code, 0, plain.output);
    assert.equal(
      plain.output,
      "\r\x1b[Kdiscovering for 0.2 s...\r\x1b[Kno servers answered\r\n",
    );
    const colored = await onTerminal(args, {});
    assert.equal(
      colored.output,
      "\r\x1b[K\x1b[2mdiscovering for 0.2 s...\x1b[22m\r\x1b[Kno servers answered\r\n",
    );
  },
});

Deno.test({
  name: "cli: a password typed at the prompt is not echoed and is asked twice",
  ignore: ignore !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const added = await onTerminal(
        ["cnet", "users", "add", "shop", "ann", "--dir", dir],
        { NO_COLOR: "1" },
        [[/Password for ann: $/, "s3cret pw\r"], [/again: $/, "s3cret pw\r"]],
      );
      assert.equal(added.code, 0, added.output);
      assert.equal(
        added.output,
        "Password for ann: \r\nPassword for ann again: \r\nadded ann (level 1) to shop\r\n",
      );
      const differ = await onTerminal(
        ["cnet", "users", "passwd", "shop", "ann", "--dir", dir],
        { NO_COLOR: "1" },
        [[/Password for ann: $/, "one\r"], [/again: $/, "two\r"]],
      );
      assert.equal(differ.code, 1);
      assert.match(
        differ.output,
        /moonwire cnet users passwd: Cannot read password: the two entries differ\r\n$/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
