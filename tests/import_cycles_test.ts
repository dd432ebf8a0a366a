// Copyright 2026 the moonwire authors. MIT license.
// DESIGN §2: no circular imports, type-only ones included. The module graph
// of every entry point in deno.json's exports comes from `deno info --json`,
// which lists type-only imports as well.
import assert from "node:assert/strict";

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier?: string };
    type?: { specifier?: string };
  }[];
}

const root = new URL("../", import.meta.url);

// Every cycle reachable from `entry`, as "a.ts -> b.ts" paths relative to
// the checkout (each cycle once, from the first module the search met).
async function importCycles(entry: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const { modules } = JSON.parse(decoder.decode(stdout)) as {
    modules: InfoModule[];
  };
  const local = (specifier?: string) =>
    specifier?.startsWith(root.href) ? [specifier] : [];
  const graph = new Map(
    modules.map((module) => [
      module.specifier,
      (module.dependencies ?? []).flatMap((dependency) => [
        ...local(dependency.code?.specifier),
        ...local(dependency.type?.specifier),
      ]),
    ]),
  );
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (specifier: string) => {
    const at = path.indexOf(specifier);
    if (at >= 0) {
      cycles.push(
        [...path.slice(at), specifier]
          .map((s) => s.slice(root.href.length))
          .join(" -> "),
      );
      return;
    }
    if (done.has(specifier)) return;
    path.push(specifier);
    for (const dependency of graph.get(specifier) ?? []) visit(dependency);
    path.pop();
    done.add(specifier);
  };
  for (const specifier of graph.keys()) visit(specifier);
  return cycles;
}

Deno.test("no entry point has import cycles, type-only imports included", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", root)),
  ) as { exports: Record<string, string> };
  const entries = Object.values(config.exports);
  assert.ok(entries.length >= 8, `${entries}`);
  for (const entry of entries) {
    assert.deepEqual(await importCycles(entry), [], entry);
  }
});
