// Copyright 2026 the moonwire authors. MIT license.
// Runs inside a private network namespace (tests/_netns.ts): two UdpModems
// in multicast mode on one group, then a CryptoNet server and client over
// them (discover, connect, login, messages both ways). Prints one JSON line
// the test asserts on.
import { CryptoNet, type ModemMessage, UdpModem } from "../../../cnet/mod.ts";

// Never send multicast on a real network: refuse to run unless loopback is
// the only interface (a fresh `unshare -n` namespace).
function isolated(): boolean {
  return Deno.networkInterfaces().every((nic) => nic.name === "lo");
}

async function run() {
  const options = { group: "239.255.67.78", port: 47801 };
  await using a = await UdpModem.create(options);
  await using b = await UdpModem.create(options);
  // Raw modem traffic first.
  b.open(5);
  const heard = new Promise<ModemMessage>((resolve) => b.subscribe(resolve));
  a.open(5);
  let selfHeard = 0;
  const self = a.subscribe(() => selfHeard++);
  a.transmit(5, 6, new Uint8Array([1, 2, 3]));
  const raw = await heard;
  // Looped-back copies of its own datagram would arrive by now.
  await new Promise((resolve) => setTimeout(resolve, 100));
  self.close();

  // A modem that transmits right after create() and closes at once: the
  // group hears every transmission, in order.
  const burst: number[] = [];
  const listening = b.subscribe((message) => burst.push(message.payload[0]));
  const sender = await UdpModem.create(options);
  for (let i = 0; i < 5; i++) sender.transmit(5, 6, new Uint8Array([i]));
  sender.close();
  await sender.closed;
  const until = Date.now() + 3000;
  while (burst.length < 5 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  listening.close();

  const directory = await Deno.makeTempDir();
  await using server = new CryptoNet.CryptoNetNode({
    directory: `${directory}`,
    modems: { top: a },
  });
  await Deno.mkdir(`${directory}/client`);
  await using client = new CryptoNet.CryptoNetNode({
    directory: `${directory}/client`,
    modems: { top: b },
  });
  a.close(5);
  const door = await server.host("mc-door");
  await server.addUser(door, "ann", "multicast password", 2);
  const received: string[] = [];
  server.on("encrypted_message", (event) => {
    received.push(event.message as string);
    server.send(event.socket, `echo ${event.message}`);
  });
  const echoes: string[] = [];
  client.on(
    "encrypted_message",
    (event) => echoes.push(event.message as string),
  );
  const found = await client.discover({ timeout: 0.3 });
  const socket = await client.connect("mc-door", { certTimeout: 0.2 });
  const loggedIn = await client.login(socket, "ann", "multicast password");
  for (let i = 0; i < 20; i++) await client.send(socket, `m${i}`);
  const end = Date.now() + 3000;
  while (echoes.length < 20 && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Deno.remove(directory, { recursive: true });
  return {
    mode: a.mode,
    raw: [raw.channel, raw.replyChannel, ...raw.payload],
    selfHeard,
    burst,
    found: found.map((s) => s.name),
    protocol: socket.protocol,
    loggedIn,
    permissionLevel: socket.permissionLevel,
    received: received.length,
    echoes: echoes.length,
    lastEcho: echoes.at(-1),
  };
}

if (import.meta.main) {
  if (!isolated()) {
    console.error("refusing to run: not inside a private network namespace");
    Deno.exit(2);
  }
  console.log(JSON.stringify(await run()));
}
