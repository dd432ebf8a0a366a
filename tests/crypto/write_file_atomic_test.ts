// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { writeFileAtomic } from "../../crypto/mod.ts";
import { testSeed } from "../_schedule.ts";

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

Deno.test({
  name:
    "writeFileAtomic() killed with SIGKILL at random moments leaves the old or the new file and no temp file after the next write",
  ignore: !posix,
  async fn() {
    const { random } = testSeed("writeFileAtomic kill loop");
    await withDir(async (dir) => {
      const path = `${dir}/users.tbl`;
      const versions = ["A", "B"].map((c) => c.repeat(64 * 1024));
      const script = new URL("./_atomic_writer.ts", import.meta.url).pathname;
      let midWrite = 0;
      for (let kill = 0; kill < 40; kill++) {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "--no-check", "-A", script, path, "A", "B"],
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const reader = child.stdout.getReader();
        await reader.read(); // "ready": at least one write went through
        await new Promise((resolve) =>
          setTimeout(resolve, Math.floor(random() * 30))
        );
        child.kill("SIGKILL");
        await reader.cancel();
        await child.status;
        const contents = await Deno.readTextFile(path);
        assert.ok(versions.includes(contents), `kill ${kill}: partial file`);
        const names = await entries(dir);
        // At most the one fixed temp name, never a pile of random ones.
        assert.ok(
          names.every((name) =>
            name === "users.tbl" || name === ".users.tbl.tmp"
          ),
          `kill ${kill}: ${names}`,
        );
        if (names.includes(".users.tbl.tmp")) {
          midWrite++;
          assert.equal(
            (await Deno.stat(`${dir}/.users.tbl.tmp`)).mode! & 0o777,
            0o600,
          );
        }
      }
      console.log(`${midWrite} of 40 kills left the temp file mid-write`);
      await writeFileAtomic(path, "after", { mode: 0o600 });
      assert.deepEqual(await entries(dir), ["users.tbl"]);
      assert.equal(await Deno.readTextFile(path), "after");
    });
  },
});

Deno.test("writeFileAtomic() removes temp files of the older random naming at the first write", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/.key.json.1234567890.tmp`, "old secret");
    await Deno.writeTextFile(`${dir}/.key.json.98.tmp`, "old secret");
    await Deno.writeTextFile(`${dir}/.other.json.55.tmp`, "not ours");
    await Deno.writeTextFile(`${dir}/.key.json.notdigits.tmp`, "not ours");
    await writeFileAtomic(`${dir}/key.json`, "new");
    assert.deepEqual(await entries(dir), [
      ".key.json.notdigits.tmp",
      ".other.json.55.tmp",
      "key.json",
    ]);
  });
});

Deno.test({
  name:
    "writeFileAtomic() never writes through a link planted at the temp name",
  ignore: !posix,
  async fn() {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/victim`, "keep");
      await Deno.symlink(`${dir}/victim`, `${dir}/.x.tmp`);
      await writeFileAtomic(`${dir}/x`, "data");
      assert.equal(await Deno.readTextFile(`${dir}/victim`), "keep");
      assert.equal(await Deno.readTextFile(`${dir}/x`), "data");
      assert.deepEqual(await entries(dir), ["victim", "x"]);
    });
  },
});

Deno.test("writeFileAtomic() into a missing folder names the folder", async () => {
  await withDir(async (dir) => {
    const error = await writeFileAtomic(`${dir}/missing/x.txt`, "x").then(
      () => undefined,
      (error) => error,
    );
    assert.ok(error instanceof Deno.errors.NotFound);
    assert.equal(
      error.message,
      `Cannot write file ${dir}/missing/x.txt: folder ${dir}/missing not found`,
    );
    assert.ok(error.cause instanceof Deno.errors.NotFound);
  });
});

Deno.test({
  name:
    "writeFileAtomic() three processes writing one file at once take turns: always one complete version",
  ignore: !posix,
  async fn() {
    await withDir(async (dir) => {
      const path = `${dir}/shared.tbl`;
      const script = new URL("./_atomic_writer.ts", import.meta.url).pathname;
      const letters = [["A", "B"], ["C", "D"], ["E", "F"]];
      const versions = letters.flat().map((c) => c.repeat(64 * 1024));
      const children = letters.map(([a, b]) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "--no-check", "-A", script, path, a, b],
          stdout: "piped",
          stderr: "null",
        }).spawn()
      );
      const readers = children.map((child) => child.stdout.getReader());
      await Promise.all(readers.map((reader) => reader.read()));
      for (let check = 0; check < 20; check++) {
        assert.ok(versions.includes(await Deno.readTextFile(path)));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const child of children) child.kill("SIGKILL");
      await Promise.all(readers.map((reader) => reader.cancel()));
      await Promise.all(children.map((child) => child.status));
      assert.ok(versions.includes(await Deno.readTextFile(path)));
      await writeFileAtomic(path, "last");
      assert.deepEqual(await entries(dir), ["shared.tbl"]);
    });
  },
});
