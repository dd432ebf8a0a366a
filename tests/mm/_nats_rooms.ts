// Copyright 2026 the moonwire authors. MIT license.
// mm servers in a NATS room for the mm/nats tests: each server with its own
// event hub and its clients (one hub per server's clients), the tables each
// client received, and the room events each server reported.
import {
  Client,
  type ClientConnection,
  EVENT_CONNECT,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import type { LuaTable } from "../../net/table_codec.ts";
import { NatsRoom, type NatsRoomJoinOptions } from "../../mm/nats.ts";
import { waitFor } from "./_helpers.ts";

/** One mm server in the room and its clients. */
export interface RoomMember {
  server: Server;
  room: NatsRoom;
  serverEvents: NetworkEvents;
  clientEvents: NetworkEvents;
  clients: Client[];
  /** Tables received per client, in arrival order. */
  received: Map<Client, LuaTable[]>;
  /** The server's connections, as EVENT_CONNECT reported them. */
  connections: ClientConnection[];
  /** `errors` of the room's EVENT_ERRORs, in order. */
  roomErrors: string[];
  /** Moves the events queued so far into `received` and `roomErrors`. */
  poll(): void;
}

/** Starts a server, joins it to the room and connects `clients` clients. */
export async function roomMember(
  clients: number,
  options: NatsRoomJoinOptions,
  cipherKey?: string,
): Promise<RoomMember> {
  const serverEvents = new NetworkEvents({ capacity: 100_000 });
  const clientEvents = new NetworkEvents({ capacity: 1_000_000 });
  const server = new Server("127.0.0.1", 0, {
    cipherKey,
    events: serverEvents,
  });
  const room = await NatsRoom.join(server, options);
  const list: Client[] = [];
  const received = new Map<Client, LuaTable[]>();
  const roomErrors: string[] = [];
  const connections: ClientConnection[] = [];
  const connected = new Set<Client>();
  const poll = () => {
    for (const event of clientEvents.poll()) {
      if (event.event === EVENT_RECEIVE) {
        received.get(event.object as Client)!.push(event.packet);
      } else if (event.event === EVENT_CONNECTED && event.result) {
        connected.add(event.object as Client);
      }
    }
    for (const event of serverEvents.poll()) {
      if (event.event === EVENT_CONNECT) {
        connections.push(event.object as ClientConnection);
      } else if (event.event === EVENT_ERROR && event.object === room) {
        roomErrors.push(event.errors);
      }
    }
  };
  for (let i = 0; i < clients; i++) {
    const client = new Client("127.0.0.1", server.getPort(), {
      cipherKey,
      events: clientEvents,
      handshakeTimeout: 20_000,
    });
    list.push(client);
    received.set(client, []);
  }
  await waitFor("clients connected", () => {
    poll();
    return connected.size === clients && server.connectionCount() === clients;
  }, 30_000);
  return {
    server,
    room,
    serverEvents,
    clientEvents,
    clients: list,
    received,
    connections,
    roomErrors,
    poll,
  };
}

/** Waits until every room has heard from every other one. */
export async function meshed(members: RoomMember[]): Promise<void> {
  await waitFor(
    "every room hears the others",
    () => members.every((m) => m.room.peers === members.length - 1),
    10_000,
  );
}

/** Closes rooms, clients and servers, in that order. */
export async function closeMembers(members: RoomMember[]): Promise<void> {
  await Promise.all(members.map((m) => m.room.close()));
  await Promise.all(
    members.flatMap((m) => m.clients.map((client) => client.disconnect())),
  );
  await Promise.all(members.map((m) => m.server.close()));
  for (const m of members) m.poll();
}
