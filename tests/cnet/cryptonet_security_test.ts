// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import type { CryptoNet, ModemMessage } from "../../cnet/mod.ts";
import { mulberry32 } from "../_random.ts";
import { sendRogueHello } from "./_cryptonet_hello.ts";
import {
  createWorld,
  record,
  settle,
  sleep,
  until,
} from "./_cryptonet_fixtures.ts";

Deno.test("CryptoNet: a certificate signed by the right CA is verified", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const ca = await serverNode.initCertificateAuthority();
  // Generate the server's files, sign them, host for real.
  await serverNode.close(await serverNode.host("bank"));
  await serverNode.signCertificate("bank.crt");
  await serverNode.host("bank");
  const socket = await clientNode.connect("bank", {
    certAuthKey: ca.publicKey,
  });
  assert.equal(socket.certificateVerified, true);
  assert.equal(socket.protocol, "Noise_NX_25519_ChaChaPoly_SHA256");
});

Deno.test("CryptoNet: wrong CA and unsigned certificates are refused", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  await serverNode.initCertificateAuthority();
  await serverNode.close(await serverNode.host("bank"));
  await serverNode.signCertificate("bank.crt");
  await serverNode.host("bank");
  await serverNode.host("plain");
  const other = await clientNode.initCertificateAuthority();
  // The client's own certAuth.key (the other CA) is picked up by default.
  await assert.rejects(clientNode.connect("bank", { timeout: 0.5 }), {
    name: "HandshakeError",
    message:
      'Cannot connect to "bank": the certificate is not signed by the certificate authority',
  });
  await assert.rejects(
    clientNode.connect("plain", { timeout: 0.5, certAuthKey: other.publicKey }),
    {
      name: "HandshakeError",
      message:
        'Cannot connect to "plain": the certificate is not signed by the certificate authority',
    },
  );
  // allowUnsigned lets it through, visibly unverified.
  const socket = await clientNode.connect("plain", {
    allowUnsigned: true,
    certTimeout: 0.1,
  });
  assert.equal(socket.certificateVerified, false);
  // A CA key file that exists but is broken never turns verification off.
  await Deno.writeTextFile(`${clientNode.directory}/certAuth.key`, "{");
  await assert.rejects(clientNode.connect("plain", { timeout: 0.5 }), {
    name: "SyntaxError",
  });
});

Deno.test("CryptoNet: without a CA key an unsigned certificate needs a single answer", async () => {
  await using world = await createWorld();
  const real = await world.node("real");
  const impostor = await world.node("impostor");
  const clientNode = await world.node("client");
  const realServer = await real.host("bank");
  const socket = await clientNode.connect("bank", { certTimeout: 0.2 });
  assert.equal(socket.certificateVerified, false);
  assert.deepEqual(socket.certificate, realServer.certificate);
  await socket.close();
  await impostor.host("bank");
  await assert.rejects(clientNode.connect("bank", { certTimeout: 0.3 }), {
    name: "HandshakeError",
    message:
      'Cannot connect to "bank": 2 servers answered with different certificates and no certificate authority key can tell them apart',
  });
  await assert.rejects(
    clientNode.requestCertificate("bank", { timeout: 0.3 }),
    {
      name: "HandshakeError",
      message:
        'Cannot request certificate for "bank": 2 servers answered with different certificates and no certificate authority key can tell them apart',
    },
  );
});

Deno.test("CryptoNet: with a CA key only the signed server counts", async () => {
  await using world = await createWorld();
  const real = await world.node("real");
  const impostor = await world.node("impostor");
  const clientNode = await world.node("client");
  const ca = await real.initCertificateAuthority();
  await real.close(await real.host("bank"));
  const signed = await real.signCertificate("bank.crt");
  await real.host("bank");
  await impostor.host("bank");
  for (let i = 0; i < 3; i++) {
    const socket = await clientNode.connect("bank", {
      certAuthKey: ca.publicKey,
    });
    assert.deepEqual(socket.certificate.publicKey, signed.publicKey);
    assert.equal(socket.certificateVerified, true);
    await socket.close();
  }
  const answer = await clientNode.requestCertificate("bank", {
    certAuthKey: ca.publicKey,
    timeout: 0.2,
  });
  assert.deepEqual(answer, { certificate: signed, verified: true });
});

Deno.test("CryptoNet: an impostor cannot answer for a known certificate", async () => {
  await using world = await createWorld();
  const real = await world.node("real");
  const impostor = await world.node("impostor");
  const clientNode = await world.node("client");
  const realServer = await real.host("bank");
  const certificate = realServer.certificate;
  await real.close(realServer);
  await impostor.host("bank");
  const impostorEvents = record(impostor);
  // The NK HELLO is encrypted to the real key: the impostor cannot even
  // read it, so it never answers.
  await assert.rejects(
    clientNode.connect("bank", { certificate, timeout: 0.5 }),
    {
      name: "TimeoutError",
      message: 'Cannot connect to "bank": no answer within 500 ms',
    },
  );
  assert.ok(impostor.servers[0].stats.droppedPackets > 0);
  assert.deepEqual(impostorEvents, []);
  // The real server back: the same call succeeds, with NK.
  await real.host("bank");
  const socket = await clientNode.connect(undefined, { certificate });
  assert.equal(socket.serverName, "bank");
  assert.equal(socket.protocol, "Noise_NK_25519_ChaChaPoly_SHA256");
  await assert.rejects(
    clientNode.connect("other", { certificate }),
    {
      name: "HandshakeError",
      message: 'Cannot connect to "other": the certificate is for "bank"',
    },
  );
});

Deno.test("CryptoNet: a hidden certificate is never revealed; NK still works", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("vault", { hideCertificate: true });
  await assert.rejects(clientNode.connect("vault", { timeout: 0.4 }), {
    name: "TimeoutError",
    message: 'Cannot connect to "vault": no answer within 400 ms',
  });
  await assert.rejects(
    clientNode.requestCertificate("vault", { timeout: 0.2 }),
    {
      name: "TimeoutError",
      message:
        'Cannot request certificate for "vault": no answer within 200 ms',
    },
  );
  const found = await clientNode.discover({ timeout: 0.2 });
  assert.deepEqual(found, [
    { name: "vault", certificate: undefined, verified: false },
  ]);
  const socket = await clientNode.connect("vault", {
    certificate: server.certificate,
  });
  assert.equal(socket.isOpen, true);
  assert.equal(server.stats.handshakes, 1);
});

Deno.test("CryptoNet: wrong passwords fail, are rate limited and capped", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("door", {
    loginDelay: 0.3,
    maxLoginAttempts: 3,
  });
  await serverNode.addUser(server, "ann", "the right one", 2);
  const serverEvents = record(serverNode);
  const clientEvents = record(clientNode);
  const socket = await clientNode.connect("door", { certTimeout: 0.05 });
  assert.equal(await clientNode.login(socket, "ann", "the wrong one"), false);
  // Immediately again: refused without checking, even with the right one.
  assert.equal(await clientNode.login(socket, "ann", "the right one"), false);
  await sleep(700);
  assert.equal(await clientNode.login(socket, "nobody", "whatever"), false);
  await sleep(1300);
  // The throttled attempt did not count: this is the third failure.
  assert.equal(await clientNode.login(socket, "ann", "wrong again"), false);
  // Three failures: no more attempts on this socket.
  assert.equal(await clientNode.login(socket, "ann", "the right one"), false);
  assert.equal(socket.username, undefined);
  assert.equal(socket.permissionLevel, 0);
  const reasons = (events: CryptoNet.CryptoNetEvent[]) =>
    events.filter((e) => e.type === "login_failed").map((e) =>
      `${(e as CryptoNet.LoginFailedEvent).username}:${
        (e as CryptoNet.LoginFailedEvent).reason
      }`
    );
  const expected = [
    "ann:invalid_credentials",
    "ann:rate_limited",
    "nobody:invalid_credentials",
    "ann:invalid_credentials",
    "ann:too_many_attempts",
  ];
  assert.deepEqual(reasons(clientEvents), expected);
  await until(() => reasons(serverEvents).length === 5);
  assert.deepEqual(reasons(serverEvents), expected);
  // A fresh session starts clean, once the name's own delay (0.6 s after
  // its second failure) is over.
  await sleep(700);
  const again = await clientNode.connect("door", { certTimeout: 0.05 });
  assert.equal(await clientNode.login(again, "ann", "the right one"), true);
  assert.equal(again.permissionLevel, 2);
  await assert.rejects(
    clientNode.login(again, "", "x"),
    {
      name: "RangeError",
      message: "Cannot log in: username must be 1-64 characters, got 0",
    },
  );
});

Deno.test("CryptoNet: a recorded session replayed achieves nothing", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("door");
  await serverNode.addUser(server, "ann", "the right one", 3);
  // An eavesdropper hearing every channel.
  const spy = world.network.createModem({ maxOpenChannels: 65536 });
  for (let channel = 0; channel <= 65535; channel++) spy.open(channel);
  const recorded: ModemMessage[] = [];
  spy.subscribe((message) => recorded.push(message));

  const socket = await clientNode.connect("door", { certTimeout: 0.05 });
  assert.equal(await clientNode.login(socket, "ann", "the right one"), true);
  // Login and six commands: seven transport packets to the server (a
  // client that speaks at once sends no OPEN).
  for (let i = 0; i < 6; i++) await clientNode.send(socket, `command ${i}`);
  await settle(() => recorded.length, 100);
  // The password never crossed the medium in the clear.
  const secret = new TextEncoder().encode("the right one");
  for (const message of recorded) {
    const text = Array.from(message.payload).join(",");
    assert.equal(text.includes(Array.from(secret).join(",")), false);
  }
  const events = record(serverNode);
  const replay = () => {
    for (const message of recorded) {
      spy.transmit(message.channel, message.replyChannel, message.payload);
    }
  };
  // Replayed into the live session: every transport packet is a replay.
  const before = server.stats;
  replay();
  await settle(() => serverNode.stats.droppedPackets, 100);
  assert.deepEqual(events, []);
  assert.ok(server.stats.replayedPackets - before.replayedPackets >= 7);
  // Replayed after the session ended: the HELLO makes a new half-open
  // handshake whose keys the recording cannot match.
  await socket.close();
  await settle(() => events.length, 100);
  events.length = 0;
  const dropped = server.stats.droppedPackets;
  replay();
  await settle(() => serverNode.stats.droppedPackets, 200);
  assert.deepEqual(events, []);
  assert.deepEqual(server.sockets, []);
  assert.ok(server.stats.droppedPackets - dropped >= 7);
  spy.close();
});

Deno.test("CryptoNet: garbage on a server channel is dropped and counted; the server keeps serving", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("sturdy");
  await serverNode.addUser(server, "ann", "the right one");
  const socket = await clientNode.connect("sturdy", { certTimeout: 0.05 });
  const rogue = world.network.createModem();
  const random = mulberry32(424242);
  const bytes = (length: number) =>
    Uint8Array.from({ length }, () => Math.floor(random() * 256));
  let sent = 0;
  for (let i = 0; i < 3000; i++) {
    const kind = i % 3;
    let packet: Uint8Array;
    if (kind === 0) {
      packet = bytes(Math.floor(random() * 1500)); // random
    } else if (kind === 1) {
      // Right magic and version, random type and body (often truncated).
      packet = new Uint8Array([
        0x43,
        0x4e,
        1,
        1 + Math.floor(random() * 12),
        ...bytes(Math.floor(random() * 80)),
      ]);
    } else {
      // DATA for the live session with a forged body.
      packet = new Uint8Array([
        0x43,
        0x4e,
        1,
        7,
        ...Uint8Array.fromHex(socket.id),
        ...bytes(8 + 17 + Math.floor(random() * 500)),
      ]);
    }
    rogue.transmit(server.channel, 1, packet);
    sent++;
  }
  // Oversized for the medium: refused before it is even sent.
  assert.throws(
    () => rogue.transmit(server.channel, 1, new Uint8Array(70_000)),
    { name: "RangeError" },
  );
  await settle(() => server.stats.droppedPackets, 200);
  // Every random and every forged-session packet is counted; structured
  // ones naming no session or another server's name are simply ignored.
  assert.ok(
    server.stats.droppedPackets >= 2000,
    `${server.stats.droppedPackets}`,
  );
  assert.ok(server.stats.droppedPackets <= sent);
  assert.equal(socket.isOpen, true);
  assert.equal(await clientNode.login(socket, "ann", "the right one"), true);
  const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
    serverNode.on("encrypted_message", resolve)
  );
  await clientNode.send(socket, "still here");
  assert.equal((await heard).message, "still here");
  const fresh = await clientNode.connect("sturdy", { certTimeout: 0.05 });
  assert.equal(fresh.isOpen, true);
});

Deno.test("CryptoNet: half-open handshakes are bounded and expire; under the flood a real client is served", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server", {
    maxSessions: 10,
    handshakeTimeout: 0.3,
  });
  const clientNode = await world.node("client");
  const server = await serverNode.host("flooded");
  const rogue = world.network.createModem();
  for (let i = 0; i < 50; i++) await sendRogueHello(rogue, server);
  await settle(() => server.stats.cookies + server.stats.handshakes, 100);
  // Half the half-open cap (here the 10 sessions) is in use: the server is
  // under load and answers the other HELLOs with cookies, keeping nothing.
  assert.equal(server.stats.handshakes, 5);
  assert.equal(server.stats.cookies, 45);
  assert.equal(server.stats.droppedPackets, 0);
  assert.deepEqual(server.sockets, []);
  // A real client repeats its HELLO with the cookie and is served at once.
  const socket = await clientNode.connect("flooded", {
    timeout: 1,
    certTimeout: 0.05,
  });
  assert.equal(socket.isOpen, true);
  assert.equal(server.stats.handshakes, 6);
  assert.equal(server.stats.cookies, 46);
  // The half-open ones expire; the open one stays.
  await sleep(600);
  assert.equal(server.sockets.length, 1);
  await sendRogueHello(rogue, server);
  await settle(() => server.stats.handshakes, 100);
  assert.equal(server.stats.handshakes, 7);
  assert.equal(server.stats.cookies, 46);
  rogue.close();
});
