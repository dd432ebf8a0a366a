// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { Client, NetworkEvents, Server } from "../../mm/mod.ts";
import { KEY, NOT_TABLES, notATableError } from "./_helpers.ts";

Deno.test("Server validates its arguments before listening", () => {
  assert.throws(() => new Server(1 as never), {
    name: "TypeError",
    message: "Cannot create server: address must be a string, got number",
  });
  assert.throws(() => new Server(""), {
    name: "SyntaxError",
    message: "Cannot create server: address is empty",
  });
  for (const port of [1, 80, 1023, 65536, -1, 1.5]) {
    assert.throws(() => new Server("127.0.0.1", port), {
      name: "RangeError",
      message:
        `Cannot create server: port ${port} is outside 1024-65535 (or 0 to let the system choose)`,
    });
  }
  assert.throws(() => new Server("127.0.0.1", "4096" as never), {
    name: "TypeError",
    message: "Cannot create server: port must be a number, got string",
  });
  assert.throws(() => new Server("127.0.0.1", 0, "ABC"), {
    name: "RangeError",
    message: "Cannot parse cipher key: expected 32 or 64 hex characters, got 3",
  });
  assert.throws(() => new Server("127.0.0.1", 0, "Z".repeat(32)), {
    name: "SyntaxError",
    message: "Cannot parse cipher key: invalid hex character at index 0",
  });
  assert.throws(() => new Server("127.0.0.1", 0, { cipherKey: 5 as never }), {
    name: "TypeError",
    message: "Cannot parse cipher key: expected a string, got number",
  });
  assert.throws(
    () => new Server("127.0.0.1", 0, { handshakeTimeout: 0 }),
    {
      name: "RangeError",
      message:
        "Cannot create server: handshakeTimeout 0 is not an integer of at least 1",
    },
  );
  assert.throws(
    () => new Server("127.0.0.1", 0, { events: {} as never }),
    {
      name: "TypeError",
      message: "Cannot create server: events must be a NetworkEvents instance",
    },
  );
});

Deno.test("Client validates its arguments before connecting", () => {
  assert.throws(() => new Client("127.0.0.1", 0), {
    name: "RangeError",
    message: "Cannot create client: port 0 is outside 1024-65535",
  });
  assert.throws(() => new Client("127.0.0.1", undefined as never), {
    name: "TypeError",
    message: "Cannot create client: port must be a number, got undefined",
  });
  assert.throws(() => new Client("127.0.0.1", 4096, KEY + "0"), {
    name: "RangeError",
    message:
      "Cannot parse cipher key: expected 32 or 64 hex characters, got 33",
  });
  assert.throws(() => new Client(null as never, 4096), {
    name: "TypeError",
    message: "Cannot create client: address must be a string, got null",
  });
});

Deno.test("send rejects values that are not tables, naming the path", async () => {
  const events = new NetworkEvents();
  await using server = new Server("127.0.0.1", 0, {
    events,
    maxMessageSize: 1024,
  });
  await using client = new Client("127.0.0.1", server.getPort(), {
    events,
    maxMessageSize: 1024,
  });
  for (const [value, kind] of NOT_TABLES) {
    assert.throws(() => client.send(value as never), notATableError(kind));
    assert.throws(() => server.broadcast(value as never), TypeError);
  }
  assert.throws(() => client.send({ a: { b: [1, 2, () => 3] } } as never), {
    name: "TypeError",
    message: /message\.a\.b\[2\]/,
  });
  assert.throws(() => client.send({ big: "x".repeat(2000) }), {
    name: "RangeError",
    message: "Cannot encode table: size 2008 exceeds limit 1024",
  });
  assert.throws(() => server.broadcast({ big: "x".repeat(2000) }), RangeError);
  assert.equal((await client.waitForConnect()).ok, true);
  await assert.rejects(client.waitForConnect(0.1), {
    name: "RangeError",
    message: "Cannot wait for connect: timeout 0.1 is outside 0.25-10 seconds",
  });
  await assert.rejects(client.waitForConnect(11), RangeError);
  await assert.rejects(client.waitForConnect("1" as never), TypeError);
});

for (
  const name of [
    "maxHandshakes",
    "maxConnections",
    "maxServerQueuedBytes",
  ] as const
) {
  Deno.test(`Server validates ${name} before listening`, () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      assert.throws(() => new Server("127.0.0.1", 0, { [name]: bad }), {
        name: "RangeError",
        message:
          `Cannot create server: ${name} ${bad} is not an integer of at least 1`,
      });
    }
    assert.throws(
      () => new Server("127.0.0.1", 0, { [name]: "2" as never }),
      {
        name: "TypeError",
        message: `Cannot create server: ${name} must be a number, got string`,
      },
    );
  });
}

Deno.test("a Server on a port in use throws AddrInUse naming the address, cause the OS error", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  let thrown: unknown;
  try {
    new Server("127.0.0.1", port);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof Deno.errors.AddrInUse);
  assert.equal(
    thrown.message,
    `Cannot create server on 127.0.0.1:${port}: address already in use`,
  );
  assert.ok(thrown.cause instanceof Deno.errors.AddrInUse);
  assert.match(
    (thrown.cause as Error).message,
    /^Address already in use \(os error \d+\)$/,
  );
});
