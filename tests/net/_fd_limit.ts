// Copyright 2026 the moonwire authors. MIT license.
// Runs a server script in a child limited to 48 file descriptors, opens
// `total` connections to the port it prints (`port=<n>`), and returns all
// it printed. More connections than the child has descriptors make its
// accept() fail with "too many open files" until it closes the ones it took.
import assert from "node:assert/strict";

/**
 * Runs `script` (next to this file) under `ulimit -n 48` with 120
 * connections; asserts its last line is `accepted=120 <state>`.
 */
export async function assertKeepsAccepting(
  script: string,
  state: string,
): Promise<void> {
  const total = 120;
  const output = await runWithFdLimit(new URL(script, import.meta.url), total);
  assert.match(output, new RegExp(`accepted=${total} ${state}\\n$`));
}

async function runWithFdLimit(
  script: URL,
  total: number,
): Promise<string> {
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -n 48 && exec "${Deno.execPath()}" run -A "${script.pathname}" ${total}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let output = "";
  while (!output.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    output += value;
  }
  const port = Number(/port=(\d+)/.exec(output)?.[1]);
  const conns: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < total && port > 0; i++) {
      // A server that gave up refuses the rest: the child's line says so.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port })
        .catch(() => undefined);
      if (conn === undefined) break;
      conns.push(conn);
    }
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      output += value;
    }
  } finally {
    for (const conn of conns) conn.close();
  }
  await child.status;
  return output;
}
