// Copyright 2026 the moonwire authors. MIT license.
// A tiny broadcast chat with mm: one encrypted server on a port the system
// picks (printed first), two clients. Every line a client says is broadcast
// by the server to everyone; then all shut down cleanly.
//
//   deno run -A examples/mm_chat.ts
import {
  Client,
  ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_ERROR,
  EVENT_RECEIVE,
  type NetworkEvent,
  NetworkEvents,
  type NetworkObject,
  Server,
} from "@moonwire/moonwire/mm";

const CIPHER_KEY = "0C03EA65238DD2C25EB87CE563868098";

const events = new NetworkEvents();
const server = new Server("127.0.0.1", 0, { cipherKey: CIPHER_KEY, events });
console.log(
  `chat server on ${server.getAddress()}:${server.getPort()} (encrypted): ` +
    "every line a client says is broadcast to everyone",
);

const names = new Map<NetworkObject, string>(); // server side: who is who
const inbox = new Map<NetworkObject, string[]>(); // client side: lines seen
let left: string | undefined;

function handle(event: NetworkEvent): void {
  switch (event.event) {
    case EVENT_RECEIVE: {
      if (event.object instanceof ClientConnection) {
        const packet = event.packet as { join?: string; say?: string };
        if (packet.join !== undefined) {
          names.set(event.object, packet.join);
          console.log(`${packet.join} joined`);
        } else if (packet.say !== undefined) {
          server.broadcast({
            from: names.get(event.object)!,
            text: packet.say,
          });
        }
      } else {
        const { from, text } = event.packet as { from: string; text: string };
        inbox.get(event.object)!.push(`<${from}> ${text}`);
      }
      break;
    }
    case EVENT_CLIENT_CLOSE:
      left = names.get(event.object);
      names.delete(event.object);
      break;
    case EVENT_ERROR:
      throw new Error(event.errors);
  }
}

/** Handles events until `done()` holds (or 5 s pass). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("Chat timed out");
    for (const event of events.poll()) handle(event);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function join(name: string): Promise<Client> {
  const client = new Client("127.0.0.1", server.getPort(), {
    cipherKey: CIPHER_KEY,
    events,
  });
  inbox.set(client, []);
  client.send({ join: name });
  await until(() => [...names.values()].includes(name));
  return client;
}

const alice = await join("alice");
const bob = await join("bob");

for (
  const [speaker, text] of [[alice, "Hello, bob!"], [
    bob,
    "Hi alice, nice wire.",
  ]] as const
) {
  const seen = inbox.get(alice)!.length;
  speaker.send({ say: text });
  await until(() =>
    inbox.get(alice)!.length > seen && inbox.get(bob)!.length > seen
  );
  console.log(`alice sees: ${inbox.get(alice)!.at(-1)}`);
  console.log(`bob sees: ${inbox.get(bob)!.at(-1)}`);
}

for (const client of [alice, bob]) {
  left = undefined;
  await client.disconnect();
  await until(() => left !== undefined);
  console.log(`${left} left`);
}
await server.close();
events.close();
console.log("server closed");
