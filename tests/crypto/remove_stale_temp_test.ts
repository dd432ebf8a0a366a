// Copyright 2026 the moonwire authors. MIT license.
// removeStaleTemp: a killed writer's `.<name>.tmp` goes; a live writer's
// stays until that writer has renamed it into place.
import assert from "node:assert/strict";
import { removeStaleTemp, writeFileAtomic } from "../../crypto/mod.ts";

const posix = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stale_temp_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) out.push(entry.name);
  return out.sort();
}

Deno.test("removeStaleTemp() removes a killed writer's temp file and old-scheme leftovers, and nothing else", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/key.json`;
    await writeFileAtomic(path, "the key", { mode: 0o600 });
    await Deno.writeTextFile(`${dir}/.key.json.tmp`, "half a key", {
      mode: 0o600,
    });
    await Deno.writeTextFile(`${dir}/.key.json.123.tmp`, "old secret");
    await Deno.writeTextFile(`${dir}/.other.tmp`, "not ours");
    assert.equal(await removeStaleTemp(path), true);
    assert.deepEqual(await names(dir), [".other.tmp", "key.json"]);
    assert.equal(await Deno.readTextFile(path), "the key");
    assert.equal(await removeStaleTemp(path), false);
  });
});

Deno.test({
  name:
    "removeStaleTemp() removes a link planted as the temp file without following it",
  ignore: !posix,
  async fn() {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/victim`, "keep me");
      await Deno.symlink(`${dir}/victim`, `${dir}/.users.tbl.tmp`);
      assert.equal(await removeStaleTemp(`${dir}/users.tbl`), true);
      assert.deepEqual(await names(dir), ["victim"]);
      assert.equal(await Deno.readTextFile(`${dir}/victim`), "keep me");
    });
  },
});

Deno.test("removeStaleTemp() waits for a live writer in another process and leaves what it renamed into place", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/users.tbl`;
    // A writer that holds the lock on the temp file until told to finish.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const temp = Deno.args[0] + "/.users.tbl.tmp";
         const file = await Deno.open(temp, { write: true, create: true, mode: 0o600 });
         await file.lock(true);
         await file.write(new TextEncoder().encode("new table"));
         console.log("locked");
         for await (const _ of Deno.stdin.readable) break;
         await Deno.rename(temp, Deno.args[0] + "/users.tbl");
         file.close();`,
        dir,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    await reader.read(); // "locked"
    let settled = false;
    const removing = removeStaleTemp(path).finally(() => settled = true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(settled, false, "removed while a live writer held the lock");
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("go\n"));
    await writer.close();
    assert.equal(await removing, false);
    await reader.cancel();
    assert.equal((await child.status).success, true);
    assert.equal(await Deno.readTextFile(path), "new table");
    assert.deepEqual(await names(dir), ["users.tbl"]);
  });
});

Deno.test("removeStaleTemp() validates its argument", async () => {
  await assert.rejects(removeStaleTemp(""), {
    name: "TypeError",
    message: "Cannot remove temporary file: path must be a non-empty string",
  });
});
