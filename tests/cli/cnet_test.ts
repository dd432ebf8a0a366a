// Copyright 2026 the moonwire authors. MIT license.
// cnet over UdpModem on 127.0.0.1 (peer lists, fixed ports picked by binding
// port 0 first): a CA, a server signed by it and clients, each its own
// process and folder, as on three machines.
import assert from "node:assert/strict";
import { freeUdpPorts, runCli, startCli } from "./_run_cli.ts";

Deno.test("cli: CA, signed cnet host and clients in separate processes over UDP", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const sub of ["ca", "srv", "cli", "site/sub"]) {
      await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
    }
    await Deno.writeTextFile(`${dir}/site/hello.txt`, "hello over cnet\n");
    await Deno.writeTextFile(`${dir}/site/sub/deep.txt`, "deep");
    await Deno.writeFile(
      `${dir}/site/blob.bin`,
      new Uint8Array([0xff, 0, 0xfe]),
    );
    await Deno.writeTextFile(`${dir}/outside.txt`, "secret outside");
    await Deno.writeTextFile(`${dir}/site/shop_private.key`, "not served");
    await Deno.writeTextFile(`${dir}/site/.hidden`, "not served");
    await Deno.symlink(`${dir}/outside.txt`, `${dir}/site/out`);

    assert.equal((await runCli(["ca", "init", "--dir", `${dir}/ca`])).code, 0);
    const made = await runCli([
      "cert",
      "new",
      "shop",
      "--sign",
      "--ca",
      `${dir}/ca`,
      "--dir",
      `${dir}/srv`,
      "--json",
    ]);
    assert.equal(made.code, 0, made.stderr);
    const { fingerprint } = JSON.parse(made.stdout);
    // The client trusts the CA; the server does not need its key.
    await Deno.copyFile(`${dir}/ca/certAuth.key`, `${dir}/cli/certAuth.key`);

    const [serverPort, clientPort] = freeUdpPorts(2);
    const client = [
      "--dir",
      `${dir}/cli`,
      "--peers",
      `127.0.0.1:${serverPort}`,
      "--port",
      `${clientPort}`,
    ];
    await using host = startCli([
      "cnet",
      "host",
      "shop",
      "--dir",
      `${dir}/srv`,
      "--serve",
      `${dir}/site`,
      "--peers",
      `127.0.0.1:${clientPort}`,
      "--port",
      `${serverPort}`,
    ]);
    const ready = await host.waitFor(
      "stderr",
      /^cnet host shop ready on udp port (\d+), channel (\d+), certificate (\S+) signed, serving /m,
    );
    assert.equal(ready[1], `${serverPort}`);
    assert.equal(ready[3], fingerprint);

    const found = await runCli([
      "cnet",
      "discover",
      ...client,
      "--timeout",
      "0.5",
      "--json",
    ]);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(JSON.parse(found.stdout), {
      servers: [{ name: "shop", fingerprint, signed: true, valid: true }],
    });

    const file = await runCli(["cnet", "get", "shop", "/hello.txt", ...client]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(file.stdout, "hello over cnet\n");
    assert.equal(file.stderr, "");

    const listing = await runCli([
      "cnet",
      "get",
      "shop",
      "/",
      ...client,
      "--json",
    ]);
    assert.equal(listing.code, 0, listing.stderr);
    assert.deepEqual(JSON.parse(listing.stdout), {
      status: 200,
      message: "OK",
      header: {},
      data: {
        entries: [
          { name: "blob.bin", type: "file", size: 3 },
          { name: "hello.txt", type: "file", size: 16 },
          { name: "sub", type: "directory", size: 0 },
        ],
      },
    });
    const deep = await runCli([
      "cnet",
      "get",
      "shop",
      "/sub/deep.txt",
      ...client,
    ]);
    assert.equal(deep.stdout, "deep");
    const blob = await runCli([
      "cnet",
      "get",
      "shop",
      "/blob.bin",
      ...client,
      "--json",
    ]);
    assert.deepEqual(JSON.parse(blob.stdout).data, { $base64: "/wD+" });

    // Refused: out of the folder by "..", by a symlink, secrets, hidden files.
    for (
      const [path, reason] of [
        ["/../outside.txt", "path refused"],
        ["/sub/../../outside.txt", "path refused"],
        ["/out", "path outside the folder"],
        ["/shop_private.key", "path refused"],
        ["/.hidden", "path refused"],
      ]
    ) {
      const refused = await runCli(["cnet", "get", "shop", path, ...client]);
      assert.equal(refused.code, 1, path);
      assert.equal(refused.stdout, "", path);
      assert.equal(refused.stderr, `403 Forbidden: ${reason}\n`, path);
    }
    const missing = await runCli(["cnet", "get", "shop", "/nope", ...client]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "404 Not Found: no such file\n");
    // An absolute path is taken inside the folder, never from the root.
    const absolute = await runCli([
      "cnet",
      "get",
      "shop",
      `/${dir}/outside.txt`,
      ...client,
    ]);
    assert.equal(absolute.code, 1);
    assert.equal(absolute.stderr, "404 Not Found: no such file\n");
    const posted = await runCli([
      "cnet",
      "post",
      "shop",
      "/hello.txt",
      '{"a":1}',
      ...client,
      "--json",
    ]);
    assert.equal(posted.code, 1);
    assert.deepEqual(JSON.parse(posted.stdout), {
      status: 403,
      message: "Forbidden",
      header: {},
      data: "read-only folder",
    });

    const sent = await runCli([
      "cnet",
      "send",
      "shop",
      "hello, shop",
      ...client,
      "--json",
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(JSON.parse(sent.stdout), {
      sent: true,
      name: "shop",
      verified: true,
    });
    await host.waitFor("stdout", /^hello, shop$/m);

    const stopped = await host.stop("SIGINT");
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, "hello, shop\n");
    const log = stopped.stderr.split("\n").slice(1);
    assert.deepEqual(log, [
      "GET /hello.txt 200",
      "GET / 200",
      "GET /sub/deep.txt 200",
      "GET /blob.bin 200",
      "GET /../outside.txt 403",
      "GET /sub/../../outside.txt 403",
      "GET /out 403",
      "GET /shop_private.key 403",
      "GET /.hidden 403",
      "GET /nope 404",
      `GET ${dir}/outside.txt 404`,
      "POST /hello.txt 403",
      "SIGINT: stopping cnet host shop",
      "",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: cnet users add, list, passwd, del with passwords from stdin", async () => {
  const dir = await Deno.makeTempDir();
  // `words` split on spaces, then --dir; `stdin` fed to the password read.
  const users = (words: string, stdin?: string) =>
    runCli(["cnet", "users", ...words.split(" "), "--dir", dir], { stdin });
  try {
    const added = await users(
      "add shop ann --level 3",
      "correct horse\nignored second line\n",
    );
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, "added ann (level 3) to shop\n");
    assert.equal((await users("add shop bob", "hunter2!")).code, 0);
    // No certificate was made for the server: only its user table.
    const files = [];
    for await (const entry of Deno.readDir(dir)) files.push(entry.name);
    assert.deepEqual(files, ["shop_users.tbl"]);
    const table = JSON.parse(await Deno.readTextFile(`${dir}/shop_users.tbl`));
    assert.ok(!JSON.stringify(table).includes("correct horse"));

    assert.equal((await users("list shop")).stdout, "ann\t3\nbob\t1\n");
    const duplicate = await users("add shop ann", "x");
    assert.equal(duplicate.code, 1);
    assert.equal(
      duplicate.stderr,
      'moonwire cnet users add: Cannot add user: "ann" already exists on "shop"\n',
    );
    const empty = await users("add shop cy", "");
    assert.equal(empty.code, 1);
    assert.equal(
      empty.stderr,
      "moonwire cnet users add: Cannot read password: it is empty\n",
    );

    const changed = await users("passwd shop ann", "battery staple\n");
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, "changed the password of ann on shop\n");
    const after =
      JSON.parse(await Deno.readTextFile(`${dir}/shop_users.tbl`)).users.ann;
    assert.notEqual(after.hash, table.users.ann.hash);
    assert.equal(after.permissionLevel, 3);
    const nobody = await users("passwd shop zed", "x");
    assert.equal(nobody.code, 1);
    assert.equal(
      nobody.stderr,
      'moonwire cnet users passwd: Cannot set password: "zed" does not exist on "shop"\n',
    );

    assert.deepEqual(JSON.parse((await users("del shop bob --json")).stdout), {
      name: "shop",
      user: "bob",
      deleted: true,
    });
    const gone = await users("del shop bob");
    assert.equal(gone.code, 1);
    assert.equal(
      gone.stderr,
      'moonwire cnet users del: Cannot delete user: "bob" does not exist on "shop"\n',
    );
    assert.deepEqual(JSON.parse((await users("list shop --json")).stdout), {
      name: "shop",
      users: [{ user: "ann", level: 3 }],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: cnet clients with nobody answering, and a host without its folder, exit 1 with the reason", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [nobody] = freeUdpPorts(1);
    const peers = [
      "--dir",
      dir,
      "--peers",
      `127.0.0.1:${nobody}`,
      "--timeout",
      "0.3",
    ];
    const get = await runCli(["cnet", "get", "shop", "/x", ...peers]);
    assert.equal(get.code, 1);
    assert.equal(
      get.stderr,
      'moonwire cnet get: Cannot connect to "shop": no answer within 300 ms\n',
    );
    const send = await runCli(["cnet", "send", "shop", "hi", ...peers]);
    assert.equal(send.code, 1);
    assert.equal(
      send.stderr,
      'moonwire cnet send: Cannot connect to "shop": no answer within 300 ms\n',
    );
    const found = await runCli(["cnet", "discover", ...peers]);
    assert.equal(found.code, 0);
    assert.equal(found.stdout, "");
    assert.equal(found.stderr, "no servers answered\n");
    const host = await runCli([
      "cnet",
      "host",
      "shop",
      "--serve",
      `${dir}/nope`,
      ...peers.slice(0, 4),
    ]);
    assert.equal(host.code, 1);
    assert.equal(
      host.stderr,
      `moonwire cnet host: Cannot serve ${dir}/nope: no such folder\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
