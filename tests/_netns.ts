// Copyright 2026 the moonwire authors. MIT license.
// Multicast and broadcast tests run inside a private network namespace so no
// datagram can leave the machine (DESIGN §10): Deno cannot pin the outgoing
// multicast interface, so outside a namespace a group datagram would follow
// the default route.
import { hasCommand } from "./_tools.ts";

let available: boolean | undefined;

/** Whether `unshare -n` works here (root, util-linux and iproute2 present). */
export function netnsAvailable(): boolean {
  if (available !== undefined) return available;
  available = false;
  if (!hasCommand("unshare") || !hasCommand("ip")) return available;
  try {
    const out = new Deno.Command("unshare", {
      args: [
        "-n",
        "sh",
        "-c",
        "ip link set lo up && ip route add 224.0.0.0/4 dev lo",
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    available = out.success;
  } catch {
    available = false;
  }
  if (!available) {
    console.warn(
      "ignored: multicast/broadcast tests need a private network namespace (unshare -n as root)",
    );
  }
  return available;
}

/** Options for {@linkcode runInNetns}. */
export interface RunInNetnsOptions {
  /** Arguments passed to the script. */
  args?: string[];
  /** Kill the run after this many milliseconds (default 20000). */
  timeout?: number;
  /** Extra shell lines run inside the namespace before the script. */
  setup?: string[];
}

/** Result of {@linkcode runInNetns}. */
export interface NetnsResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A --unstable-net script` in a fresh network namespace whose
 * only interface is `lo` (up), with `224.0.0.0/4` routed to `lo`.
 */
export async function runInNetns(
  script: URL | string,
  options: RunInNetnsOptions = {},
): Promise<NetnsResult> {
  const path = script instanceof URL ? script.pathname : script;
  const lines = [
    "set -e",
    "ip link set lo up",
    "ip route add 224.0.0.0/4 dev lo",
    ...(options.setup ?? []),
    `exec "$0" run -A --unstable-net --quiet "$@"`,
  ];
  const child = new Deno.Command("unshare", {
    args: [
      "-n",
      "sh",
      "-c",
      lines.join("\n"),
      Deno.execPath(),
      path,
      ...(options.args ?? []),
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  const timer = setTimeout(
    () => child.kill("SIGKILL"),
    options.timeout ?? 20_000,
  );
  try {
    const out = await child.output();
    const decoder = new TextDecoder();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}
