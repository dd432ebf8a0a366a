// Copyright 2026 the moonwire authors. MIT license.
// Test helpers: detect the external tools interop tests need, so those tests
// report themselves as ignored (with the reason) where a tool is missing.

const found = new Map<string, boolean>();

/** Whether `name` is an executable on PATH (cached). */
export function hasCommand(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    try {
      const out = new Deno.Command("sh", {
        args: ["-c", `command -v "$0"`, name],
        stdout: "null",
        stderr: "null",
      }).outputSync();
      ok = out.success;
    } catch {
      ok = false;
    }
    found.set(name, ok);
  }
  return ok;
}

/**
 * The reason to ignore a test that needs `names`, or `undefined` when all are
 * present. Prints the reason once so the ignored test is explained in the log.
 */
export function ignoreReason(...names: string[]): string | undefined {
  const missing = names.filter((name) => !hasCommand(name));
  if (missing.length === 0) return undefined;
  const reason = `needs ${
    missing.join(", ")
  } (not installed; .ci/run installs it)`;
  console.warn(`ignored: ${reason}`);
  return reason;
}
