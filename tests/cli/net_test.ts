// Copyright 2026 the moonwire authors. MIT license.
// net resolve, net echo (callback API) and net get (polling API) against
// real sockets on 127.0.0.1.
import assert from "node:assert/strict";
import { runCli, startCli } from "./_run_cli.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("cli: net resolve localhost, as text and JSON", async () => {
  const text = await runCli(["net", "resolve", "localhost"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^127\.0\.0\.1\n/m);
  const json = await runCli(["net", "resolve", "127.0.0.1", "--json"]);
  assert.deepEqual(JSON.parse(json.stdout), {
    name: "127.0.0.1",
    addresses: ["127.0.0.1"],
  });
  const missing = await runCli(["net", "resolve", "no-such-host.invalid"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^moonwire net resolve: Cannot resolve no-such-host\.invalid: .*\n$/,
  );
});

Deno.test("cli: net echo echoes every byte until the client ends, then stops on SIGTERM", async () => {
  await using echo = startCli(["net", "echo", "0", "--json"]);
  const ready = JSON.parse(
    (await echo.waitFor("stdout", /^\{"event":"ready".*\}$/m))[0],
  );
  assert.equal(ready.address, "127.0.0.1");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: ready.port });
  const payload = new Uint8Array(200_000).map((_, i) => i * 7);
  const writing = (async () => {
    await conn.write(payload.subarray(0, 1000));
    await new Promise((resolve) => setTimeout(resolve, 20));
    let offset = 1000;
    while (offset < payload.length) {
      offset += await conn.write(payload.subarray(offset));
    }
    await conn.closeWrite();
  })();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of conn.readable) chunks.push(chunk.slice());
  await writing;
  const echoed = new Uint8Array(await new Blob(chunks).arrayBuffer());
  assert.deepEqual(echoed, payload);
  await echo.waitFor("stdout", /"event":"closed"/);
  const end = await echo.stop("SIGTERM");
  assert.equal(end.code, 0, end.stderr);
  const events = end.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(events.map((event) => event.event), [
    "ready",
    "accepted",
    "closed",
  ]);
  assert.equal(end.stderr, "SIGTERM: stopping net echo\n");
});

Deno.test("cli: net get prints the raw response to the end of stream", async () => {
  const response =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nraw body \u00e9\n";
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const serving = (async () => {
    for (let i = 0; i < 2; i++) {
      const conn = await listener.accept();
      let request = "";
      const buffer = new Uint8Array(4096);
      while (!request.includes("\r\n\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) break;
        request += decoder.decode(buffer.subarray(0, n));
      }
      requests.push(request);
      // Two writes apart in time: the client must read to the end.
      await conn.write(encoder.encode(response.slice(0, 10)));
      await new Promise((resolve) => setTimeout(resolve, 30));
      await conn.write(encoder.encode(response.slice(10)));
      conn.close();
    }
  })();
  try {
    const url = `http://127.0.0.1:${listener.addr.port}/path?q=1`;
    const text = await runCli(["net", "get", url]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, response);
    assert.equal(
      requests[0],
      `GET /path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${listener.addr.port}\r\nUser-Agent: moonwire\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    );
    const json = await runCli(["net", "get", url, "--json"]);
    assert.deepEqual(JSON.parse(json.stdout), {
      url,
      bytes: encoder.encode(response).length,
      status: 200,
      response,
    });
  } finally {
    await serving;
    listener.close();
  }
  // TLS to a plain-text server fails closed, with the reason.
  const plain = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = plain.accept().then(async (conn) => {
    await conn.read(new Uint8Array(1024));
    await conn.write(encoder.encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
    conn.close();
  });
  const tls = await runCli([
    "net",
    "get",
    `https://127.0.0.1:${plain.addr.port}/`,
    "--timeout",
    "2",
  ]);
  await accepted;
  plain.close();
  assert.equal(tls.code, 1);
  assert.match(
    tls.stderr,
    /^moonwire net get: Cannot connect to 127\.0\.0\.1:\d+ over TLS: .*\n$/,
  );
});
