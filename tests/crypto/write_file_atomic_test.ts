// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { writeFileAtomic } from "../../crypto/mod.ts";

const posix = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "moonwire_atomic_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("writeFileAtomic() writes strings and bytes and leaves no temp file", async () => {
  await withDir(async (dir) => {
    await writeFileAtomic(`${dir}/a.txt`, "héllo");
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "héllo");
    await writeFileAtomic(`${dir}/b.bin`, new Uint8Array([0, 1, 255]));
    assert.deepEqual(
      await Deno.readFile(`${dir}/b.bin`),
      new Uint8Array([0, 1, 255]),
    );
    await writeFileAtomic(`${dir}/empty`, "");
    assert.equal((await Deno.stat(`${dir}/empty`)).size, 0);
    assert.deepEqual(await entries(dir), ["a.txt", "b.bin", "empty"]);
  });
});

Deno.test("writeFileAtomic() replaces an existing file and sets the exact mode", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/secret.key`;
    await Deno.writeTextFile(path, "old contents that are longer");
    await writeFileAtomic(path, "new", { mode: 0o600 });
    assert.equal(await Deno.readTextFile(path), "new");
    if (posix) {
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      // Exact even when the umask would narrow it.
      await writeFileAtomic(path, "x", { mode: 0o664 });
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o664);
    }
    assert.deepEqual(await entries(dir), ["secret.key"]);
  });
});

Deno.test("writeFileAtomic() writes a large file completely", async () => {
  await withDir(async (dir) => {
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    await writeFileAtomic(`${dir}/big`, data);
    assert.deepEqual(await Deno.readFile(`${dir}/big`), data);
  });
});

Deno.test("writeFileAtomic() concurrent writers leave one complete version", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/shared.txt`;
    const versions = Array.from(
      { length: 8 },
      (_, i) => String(i).repeat(5000),
    );
    await Promise.all(versions.map((text) => writeFileAtomic(path, text)));
    assert.ok(versions.includes(await Deno.readTextFile(path)));
    assert.deepEqual(await entries(dir), ["shared.txt"]);
  });
});

Deno.test("writeFileAtomic() passes I/O errors through and cleans up", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      writeFileAtomic(`${dir}/missing/x.txt`, "x"),
      Deno.errors.NotFound,
    );
    // Renaming onto a directory fails; the temporary file must be removed.
    await Deno.mkdir(`${dir}/taken/inner`, { recursive: true });
    await assert.rejects(writeFileAtomic(`${dir}/taken`, "x"));
    assert.deepEqual(await entries(dir), ["taken"]);
  });
});

Deno.test("writeFileAtomic() validates its arguments", async () => {
  await assert.rejects(writeFileAtomic("", "x"), {
    name: "TypeError",
    message: "Cannot write file: path must be a non-empty string",
  });
  await assert.rejects(writeFileAtomic("/tmp/x", 5 as never), {
    name: "TypeError",
    message: "Cannot write file /tmp/x: data must be a string or a Uint8Array",
  });
  for (const mode of [-1, 0o1000, 1.5]) {
    await assert.rejects(writeFileAtomic("/tmp/x", "x", { mode }), {
      name: "RangeError",
      message:
        `Cannot write file /tmp/x: mode must be an integer from 0 to 0o777, got ${mode}`,
    });
  }
});
