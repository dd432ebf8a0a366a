// Copyright 2026 the moonwire authors. MIT license.
// The in-namespace half of a multicast/broadcast test: a script under
// tests/<module>/netns/ that tests/_netns.ts runs in a fresh `unshare -n`.

/** Whether loopback is the only interface (a fresh `unshare -n` namespace). */
export function isolated(): boolean {
  return Deno.networkInterfaces().every((nic) => nic.name === "lo");
}

/**
 * Prints what `run` returns as one JSON line for the test to assert on. Never
 * sends multicast or broadcast on a real network: outside a private network
 * namespace it refuses to run and exits with code 2.
 */
export async function runIsolated(
  run: () => Promise<Record<string, unknown>>,
): Promise<void> {
  if (!isolated()) {
    console.error("refusing to run: not inside a private network namespace");
    Deno.exit(2);
  }
  console.log(JSON.stringify(await run()));
}
