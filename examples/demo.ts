// Copyright 2026 the moonwire authors. MIT license.
/**
 * `deno task demo`: a tour of moonwire, end to end, printing each step.
 *
 * Run it with `deno run -A examples/demo.ts`.
 *
 * @module
 */
import {
  createCertificateAuthority,
  generateCertificate,
  NoiseHandshake,
  signCertificate,
  verifyCertificate,
  writeCertificateFile,
  writeKeyFile,
} from "../crypto/mod.ts";
import {
  CNetNode,
  CttpRequest,
  CttpRequestMethod,
  CttpResponse,
  CttpStatus,
  MemoryNetwork,
} from "../cnet/mod.ts";
import { hostnameToIp, listen, openTcp, resolveAddress } from "../net/mod.ts";
import {
  Client,
  type ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_RECEIVE,
  type NetworkEvent,
  NetworkEvents,
  Server,
} from "../mm/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function step(text: string): void {
  console.log(`  - ${text}`);
}

function hex(bytes: Uint8Array, length = 8): string {
  return bytes.subarray(0, length).toHex() + "…";
}

async function demoCrypto(): Promise<void> {
  console.log("crypto: certificate authority, certificates, Noise NK");
  const authority = createCertificateAuthority();
  step(
    `created a certificate authority (Ed25519 public key ${
      hex(authority.publicKey)
    })`,
  );
  const { certificate, privateKey } = generateCertificate("demo.server");
  step(
    `generated certificate "${certificate.name}" (X25519 key ${
      hex(certificate.publicKey)
    })`,
  );
  const signed = signCertificate(certificate, authority.privateKey);
  step(`signed it (Ed25519 signature ${hex(signed.signature!)})`);
  step(
    `verified with the CA key: ${
      verifyCertificate(signed, authority.publicKey)
    }`,
  );
  const impostor = { ...signed, name: "evil.server" };
  step(
    `same signature under another name verifies: ${
      verifyCertificate(impostor, authority.publicKey)
    }`,
  );

  const protocol = "Noise_NK_25519_ChaChaPoly_SHA256";
  const client = new NoiseHandshake(protocol, {
    initiator: true,
    remoteStaticPublicKey: signed.publicKey,
  });
  const server = new NoiseHandshake(protocol, {
    initiator: false,
    staticKeyPair: { publicKey: signed.publicKey, privateKey },
  });
  const first = await client.writeMessage();
  await server.readMessage(first);
  step(`${protocol}: client → server ${first.length} bytes`);
  const second = await server.writeMessage();
  await client.readMessage(second);
  step(
    `${protocol}: server → client ${second.length} bytes, handshake complete`,
  );
  const clientSide = client.split();
  const serverSide = server.split();
  const record = await clientSide.send.encrypt(
    encoder.encode("hello, moonwire"),
  );
  step(`client sealed a ${record.length}-byte record (${hex(record)})`);
  const opened = await serverSide.receive.decrypt(record);
  step(`server opened it: "${decoder.decode(opened)}"`);
}

const backlogs = new WeakMap<NetworkEvents, NetworkEvent[]>();

/**
 * Polls `events` until one that `accept` takes arrives; the others stay
 * queued for later calls. Fails after 5 s.
 */
async function nextEvent(
  events: NetworkEvents,
  accept: (event: NetworkEvent) => boolean,
): Promise<NetworkEvent> {
  const backlog = backlogs.get(events) ?? [];
  backlogs.set(events, backlog);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    backlog.push(...events.poll());
    const index = backlog.findIndex(accept);
    if (index >= 0) return backlog.splice(index, 1)[0];
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("demo: no matching mm event within 5 s");
}

/** Waits for a received table whose receiver `accept` takes. */
async function nextPacket(
  events: NetworkEvents,
  accept: (receiver: unknown) => boolean,
): Promise<{ receiver: unknown; packet: unknown }> {
  const event = await nextEvent(
    events,
    (e) => e.event === EVENT_RECEIVE && accept(e.object),
  );
  if (event.event !== EVENT_RECEIVE) {
    throw new Error("demo: not a receive event");
  }
  return { receiver: event.object, packet: event.packet };
}

async function demoMm(): Promise<void> {
  console.log("mm: encrypted table messaging (server, two clients, broadcast)");
  const key = "0C03EA65238DD2C25EB87CE563868098";
  const events = new NetworkEvents();
  await using server = new Server("127.0.0.1", 0, { cipherKey: key, events });
  step(
    `server listening on ${server.getAddress()}:${server.getPort()} with a 128-bit cipher key`,
  );
  await using alice = new Client("127.0.0.1", server.getPort(), {
    cipherKey: key,
    events,
  });
  await using bob = new Client("127.0.0.1", server.getPort(), {
    cipherKey: key,
    events,
  });
  const names = new Map<unknown, string>([[alice, "alice"], [bob, "bob"]]);
  for (const [client, name] of names) {
    const { ok } = await (client as Client).waitForConnect();
    step(`${name} connected: ${ok}`);
  }
  const connections: ClientConnection[] = [];
  while (connections.length < 2) {
    const event = await nextEvent(events, (e) => e.event === EVENT_CONNECT);
    connections.push(event.object as ClientConnection);
  }
  step(`server sees ${server.connectionCount()} connections`);
  alice.send({ OpCode: 10, Data: "hello from alice" });
  const fromAlice = await nextPacket(
    events,
    (receiver) => !names.has(receiver),
  );
  step(`server received ${JSON.stringify(fromAlice.packet)}`);
  step(
    `broadcast reached ${
      server.broadcast({ OpCode: 11, Data: "welcome, everyone" })
    } clients`,
  );
  const heard = new Set<string>();
  while (heard.size < 2) {
    const { receiver, packet } = await nextPacket(events, (r) => names.has(r));
    heard.add(`${names.get(receiver)} got ${JSON.stringify(packet)}`);
  }
  for (const line of [...heard].sort()) step(line);
  await bob.disconnect();
  await nextEvent(events, (e) => e.event === EVENT_CLIENT_CLOSE);
  step(`bob left; server sees ${server.connectionCount()} connection`);
}

async function demoNet(): Promise<void> {
  console.log(
    "net: callback server (Cuberite cNetwork), polling client (Pragtical net)",
  );
  const resolved = await new Promise<string[]>((resolve, reject) => {
    const ips: string[] = [];
    hostnameToIp("localhost", {
      onNameResolved: (_hostname, ip) => ips.push(ip),
      onFinished: () => resolve(ips),
      onError: (_query, code, message) =>
        reject(new Error(`${code}: ${message}`)),
    });
  });
  step(
    `hostnameToIp("localhost") → ${
      resolved.includes("127.0.0.1") ? "127.0.0.1" : resolved[0]
    }`,
  );

  const remoteClosed = Promise.withResolvers<void>();
  const server = listen(0, {
    onIncomingConnection: () => ({
      onReceivedData: (link, data) =>
        link.send(decoder.decode(data).toUpperCase()),
      onRemoteClosed: () => remoteClosed.resolve(),
      onError: (_link, code, message) =>
        remoteClosed.reject(new Error(`${code}: ${message}`)),
    }),
    onAccepted: (link) =>
      step(`server accepted a link from ${link.getRemoteIp()}`),
    onError: (code, message) =>
      console.error(`cannot listen: ${code} (${message})`),
  }, { hostname: "127.0.0.1" });
  try {
    step(
      `listen(0, callbacks): listening ${server.isListening()} on port ${server.getPort()}`,
    );
    const address = resolveAddress("127.0.0.1");
    step(`resolveAddress → ${await address.waitUntilResolved(2000)}`);
    const tcp = openTcp(address, server.getPort());
    step(`openTcp → ${await tcp.waitUntilConnected(2000)}`);
    const written = tcp.write(encoder.encode("polling says hi"));
    step(
      `write accepted ${written} bytes, ${await tcp.waitUntilDrained(
        2000,
      )} pending after drain`,
    );
    let reply = "";
    const deadline = Date.now() + 5000;
    while (reply.length < written && Date.now() < deadline) {
      const chunk = tcp.read(1024);
      if (chunk === null) break;
      reply += decoder.decode(chunk);
      if (chunk.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    step(`read the callback server's answer: "${reply}"`);
    tcp.close();
    await remoteClosed.promise;
    step("server link got onRemoteClosed");
  } finally {
    server.close();
    await server.closed;
  }
}

async function demoCnet(): Promise<void> {
  console.log("cnet: CA-signed server, impostor, discovery, login, CTCP/CTTP");
  const root = await Deno.makeTempDir({ prefix: "moonwire_demo_" });
  const network = new MemoryNetwork();
  const folders = ["bank", "impostor", "client"].map((name) =>
    `${root}/${name}`
  );
  for (const folder of folders) await Deno.mkdir(folder);
  const [bankDir, impostorDir, clientDir] = folders;
  const bank = new CNetNode({
    directory: bankDir,
    modems: { top: network.createModem() },
  });
  const impostor = new CNetNode({
    directory: impostorDir,
    modems: { top: network.createModem() },
  });
  const client = new CNetNode({
    directory: clientDir,
    modems: { back: network.createModem() },
  });
  try {
    // The certificate authority signs the real bank's certificate; clients
    // get only the CA's public key (certAuth.key).
    const authority = createCertificateAuthority();
    const { certificate, privateKey } = generateCertificate("bank");
    await writeCertificateFile(
      `${bankDir}/bank.crt`,
      signCertificate(certificate, authority.privateKey),
    );
    await writeKeyFile(`${bankDir}/bank_private.key`, privateKey, {
      algorithm: "x25519",
      private: true,
    });
    await writeKeyFile(`${clientDir}/certAuth.key`, authority.publicKey, {
      algorithm: "ed25519",
      private: false,
    });
    const server = await bank.host("bank");
    await bank.addUser(server, "ann", "correct horse battery", 2);
    bank.setRestApi(
      CttpRequestMethod.GET,
      "/balance",
      ([name], _header, _data, connection) =>
        connection.socket.username === name
          ? { name, balance: 42 }
          : new CttpResponse(CttpStatus.UNAUTHORIZED),
    );
    step(
      `bank hosts "bank" on channel ${server.channel} with a CA-signed certificate`,
    );
    await impostor.host("bank"); // generates its own, unsigned certificate
    step(`an impostor hosts "bank" too, with an unsigned certificate`);

    const found = await client.discover({ timeout: 0.2 });
    step(
      `discover() found ${
        found.filter((s) => s.name === "bank").length
      } servers named "bank"`,
    );
    const socket = await client.connect("bank", { certTimeout: 0.2 });
    step(
      `connect("bank") → ${socket.protocol}, certificate verified: ${socket.certificateVerified}`,
    );
    const sameKey = socket.certificate !== undefined &&
      socket.certificate.publicKey.every((byte, i) =>
        byte === certificate.publicKey[i]
      );
    step(`connected to the real bank (its key matches): ${sameKey}`);
    step(
      `login as ann: ${await client.login(
        socket,
        "ann",
        "correct horse battery",
      )}, level ${socket.permissionLevel}`,
    );
    await socket.close();

    const connection = await client.connectCtcp("bank");
    step("connectCtcp: SYN / SYN-ACK / ACK done");
    const early = await client.sendCttpRequest(
      connection,
      new CttpRequest(CttpRequestMethod.GET, "/balance/ann"),
    );
    step(
      `GET /balance/ann before login → ${early.response?.statusCode} ${early.response?.statusMessage}`,
    );
    step(
      `login over CTCP: ${await client.login(
        connection,
        "ann",
        "correct horse battery",
      )}`,
    );
    const { response } = await client.sendCttpRequest(
      connection,
      new CttpRequest(CttpRequestMethod.GET, "/balance/ann"),
    );
    step(
      `GET /balance/ann → ${response?.statusCode} ${
        JSON.stringify(response?.data)
      }`,
    );
    const missing = await client.sendCttpRequest(
      connection,
      new CttpRequest(CttpRequestMethod.GET, "/vault"),
    );
    step(
      `GET /vault → ${missing.response?.statusCode} ${missing.response?.statusMessage}`,
    );
    step(
      `disconnectCtcp: FIN acknowledged ${await client.disconnectCtcp(
        connection,
      )}`,
    );
  } finally {
    await client.close();
    await impostor.close();
    await bank.close();
    network.close();
    await Deno.remove(root, { recursive: true });
  }
}

console.log("moonwire demo\n");
await demoCrypto();
console.log();
await demoNet();
console.log();
await demoMm();
console.log();
await demoCnet();
console.log("\ndemo complete");
