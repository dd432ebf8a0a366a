// Copyright 2026 the moonwire authors. MIT license.
// Must type-check: how TypeScript users write mm messages. Never run (only
// `deno check`ed by tests/types/types_test.ts and `deno check .`).
import {
  Client,
  EVENT_RECEIVE,
  type LuaTable,
  NetworkEvents,
  pollEvents,
  Server,
} from "../../../mm/mod.ts";
import type { Equal } from "./_equal.ts";

interface Chat {
  text: string;
  to?: string;
  at: number;
  tags: readonly string[];
  avatar?: Uint8Array;
  reply?: Chat;
  scores: Map<number, { best: number; last?: number }>;
}
type Join = { op: "join"; room: string; pos: [number, number] };
type ClientMsg = Chat | Join;
interface Ack {
  ok: boolean;
  error: string | null;
}

export function untypedServerTakesInterfaces(
  server: Server,
  client: Client,
): void {
  const chat: Chat = { text: "hi", at: 1, tags: [], scores: new Map() };
  server.broadcast(chat);
  server.send({ text: undefined, list: [1, undefined, "x"] });
  client.send(chat);
  client.send({ op: "join", room: "a", pos: [1, 2] } satisfies Join);
  client.send(new Map<string | number, string>([[1, "a"]]));
  const table: LuaTable = ["Hello"];
  client.send(table);
  server.send(table);
}

export async function typedEnds(): Promise<void> {
  const events = new NetworkEvents<ClientMsg | Ack>();
  await using server = new Server<Ack, ClientMsg>("127.0.0.1", 0, { events });
  await using client = new Client<ClientMsg, Ack>(
    "127.0.0.1",
    server.getPort(),
    {
      events,
    },
  );
  client.send({ text: "hi", at: 1, tags: ["a"], scores: new Map() });
  client.send({ op: "join", room: "lobby", pos: [0, 0] });
  server.broadcast({ ok: true, error: null });
  for (const event of events.poll()) {
    if (event.event !== EVENT_RECEIVE) continue;
    const packet = event.packet;
    const _same: Equal<typeof packet, ClientMsg | Ack> = true;
    if ("op" in packet && packet.op === "join") {
      const _room: string = packet.room;
    }
  }
}

export function defaultsStayUntyped(): void {
  for (const event of pollEvents()) {
    if (event.event === EVENT_RECEIVE) {
      const _same: Equal<typeof event.packet, LuaTable> = true;
    }
  }
  for (const event of pollEvents<Chat>()) {
    if (event.event === EVENT_RECEIVE) {
      const _text: string = event.packet.text;
    }
  }
}
