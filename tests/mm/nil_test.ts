// Copyright 2026 the moonwire authors. MIT license.
// undefined in a table is Lua's nil over real mm sockets: an undefined field
// is absent on the other side, an undefined item or hole in an array
// arrives as null (msgpack nil), both ways and with or without a cipher key.
import assert from "node:assert/strict";
import {
  Client,
  type ClientConnection,
  EVENT_CONNECT,
  EVENT_RECEIVE,
  type NetworkEvent,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { EventLog, KEY } from "./_helpers.ts";

interface Chat {
  text?: string;
  to?: string;
  items: (number | undefined)[];
  meta?: { seen?: boolean; tags: string[] };
}

function received(events: NetworkEvent<Chat>[]): Chat[] {
  return events.flatMap((event) =>
    event.event === EVENT_RECEIVE ? [event.packet] : []
  );
}

for (const cipherKey of [undefined, KEY]) {
  Deno.test(`undefined is nil both ways over mm (${cipherKey ? "encrypted" : "plain"})`, async () => {
    const events = new NetworkEvents<Chat>();
    const log = new EventLog(events);
    await using server = new Server<Chat, Chat>("127.0.0.1", 0, {
      events,
      cipherKey,
    });
    await using client = new Client<Chat, Chat>(
      "127.0.0.1",
      server.getPort(),
      { events, cipherKey },
    );
    const sent: Chat[] = [
      { text: undefined, to: "ann", items: [] },
      // deno-lint-ignore no-sparse-arrays
      {
        text: "hi",
        items: [1, undefined, , 4],
        meta: { seen: undefined, tags: [] },
      },
      { items: [undefined], meta: undefined },
    ];
    for (const table of sent) assert.equal(client.send(table), true);
    const [connect] = await log.count(
      "connect",
      1,
      (event) => event.event === EVENT_CONNECT,
    );
    const expected: Chat[] = [
      { to: "ann", items: [] },
      {
        text: "hi",
        items: [1, null as never, null as never, 4],
        meta: { tags: [] },
      },
      { items: [null as never] },
    ];
    const fromClient = await log.count(
      "3 tables at the server",
      3,
      (event) => event.event === EVENT_RECEIVE && event.object !== client,
    );
    assert.deepEqual(received(fromClient), expected);
    for (const table of received(fromClient)) {
      assert.equal(
        Object.hasOwn(table, "text") && table.text === undefined,
        false,
      );
    }
    const connection = connect.object as ClientConnection;
    for (const table of sent) assert.equal(server.send(table, connection), 1);
    const fromServer = await log.count(
      "3 tables at the client",
      3,
      (event) => event.event === EVENT_RECEIVE && event.object === client,
    );
    assert.deepEqual(received(fromServer), expected);
    assert.equal(
      "text" in received(fromServer)[0],
      false,
    );
    await client.disconnect();
  });
}
