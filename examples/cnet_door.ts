// Copyright 2026 the moonwire authors. MIT license.
/**
 * A CryptoNet "door": a server with users and permission levels that opens
 * only for level 2 and up, and a client that discovers it, logs in and sends
 * commands. Both computers run in this process on one in-memory network,
 * with a temporary working directory for their certificates and user table.
 *
 * Run it with `deno run -A examples/cnet_door.ts`.
 *
 * @module
 */
import { CryptoNet, MemoryNetwork } from "../cnet/mod.ts";

type Reply = { ok: boolean; text: string };

const directory = await Deno.makeTempDir({ prefix: "cnet_door_" });
await Deno.mkdir(`${directory}/door`);
await Deno.mkdir(`${directory}/visitor`);
using network = new MemoryNetwork();

// The door computer: a modem on top, its files in door/.
await using door = new CryptoNet.CryptoNetNode({
  directory: `${directory}/door`,
  modems: { top: network.createModem() },
});
const server = await door.host("front-door");
await door.addUser(server, "guest", "guest password"); // level 1
await door.addUser(server, "admin", "admin password", 2);
door.on("login", (event) => console.log(`door: ${event.username} logged in`));
door.on(
  "login_failed",
  (event) => console.log(`door: failed login for ${event.username}`),
);
door.on("encrypted_message", (event) => {
  const { socket, message } = event;
  let reply: Reply;
  if (message !== "open") {
    reply = { ok: false, text: "unknown command" };
  } else if (socket.username === undefined) {
    reply = { ok: false, text: "please log in" };
  } else if (socket.permissionLevel < 2) {
    reply = { ok: false, text: `${socket.username} may not open the door` };
  } else {
    reply = { ok: true, text: "the door opens" };
  }
  door.send(socket, reply).catch((error) => console.error(error));
});

// The visitor's computer: a modem on its back, its files in visitor/.
await using visitor = new CryptoNet.CryptoNetNode({
  directory: `${directory}/visitor`,
  modems: { back: network.createModem() },
});
const servers = await visitor.discover({ timeout: 0.2 });
console.log(`visitor: found ${servers.map((s) => s.name).join(", ")}`);
const socket = await visitor.connect("front-door", { certTimeout: 0.2 });
console.log(
  `visitor: connected to ${socket.serverName} (${
    socket.certificateVerified ? "verified" : "unsigned"
  } certificate)`,
);

async function command(text: string): Promise<void> {
  const answer = new Promise<Reply>((resolve) => {
    const subscription = visitor.on("encrypted_message", (event) => {
      subscription.close();
      resolve(event.message as Reply);
    });
  });
  await visitor.send(socket, text);
  const reply = await answer;
  console.log(`visitor: ${text} -> ${reply.text}`);
}

await command("open");
console.log(
  `visitor: login as guest: ${await visitor.login(
    socket,
    "guest",
    "guest password",
  )}`,
);
await command("open");
await visitor.logout(socket);
console.log(
  `visitor: login as admin with a wrong password: ${await visitor.login(
    socket,
    "admin",
    "let me in",
  )}`,
);
// Failed logins are rate limited: wait out the delay before trying again.
await new Promise((resolve) => setTimeout(resolve, 600));
console.log(
  `visitor: login as admin: ${await visitor.login(
    socket,
    "admin",
    "admin password",
  )} (level ${socket.permissionLevel})`,
);
await command("open");
await socket.close();
await visitor.close();
await door.close();
await Deno.remove(directory, { recursive: true });
console.log("done");
