// Copyright 2026 the moonwire authors. MIT license.
// A certificate learned from the network (discover, requestCertificate, an
// NX handshake) is verified like one received in a handshake; only one the
// user loaded or built is trusted as is (seed 000).
import assert from "node:assert/strict";
import { createWorld, record } from "./_cryptonet_fixtures.ts";

async function bankAndImpostor() {
  const world = await createWorld();
  const real = await world.node("real");
  const impostor = await world.node("impostor");
  const client = await world.node("client");
  const ca = await real.initCertificateAuthority();
  await real.close(await real.host("bank"));
  const signed = await real.signCertificate("bank.crt");
  await real.host("bank");
  await impostor.host("bank");
  return { world, real, impostor, client, ca, signed };
}

Deno.test("CryptoNet: discover marks answers verified against the CA key and lists unsigned ones only when asked", async () => {
  const { world, client, ca, signed } = await bankAndImpostor();
  await using _ = world;
  const found = await client.discover({
    timeout: 0.2,
    certAuthKey: ca.publicKey,
  });
  assert.deepEqual(found, [
    { name: "bank", certificate: signed, verified: true },
  ]);
  const all = await client.discover({
    timeout: 0.2,
    certAuthKey: ca.publicKey,
    allowUnsigned: true,
  });
  assert.deepEqual(
    all.map((server) => server.verified).sort(),
    [false, true],
  );
  // Without a CA key nothing is verified, and everything is listed.
  const plain = await client.discover({ timeout: 0.2 });
  assert.deepEqual(plain.map((server) => server.verified), [false, false]);
});

Deno.test("CryptoNet: connecting with a discovered impostor certificate and the CA key is refused before any HELLO", async () => {
  const { world, real, impostor, client, ca } = await bankAndImpostor();
  await using _ = world;
  const all = await client.discover({
    timeout: 0.2,
    certAuthKey: ca.publicKey,
    allowUnsigned: true,
  });
  const fake = all.find((server) => !server.verified)!;
  const impostorEvents = record(impostor);
  await assert.rejects(
    client.connect("bank", {
      certificate: fake.certificate,
      certAuthKey: ca.publicKey,
      timeout: 0.5,
    }),
    {
      name: "HandshakeError",
      message:
        'Cannot connect to "bank": the certificate came from the network and is not signed by the certificate authority',
    },
  );
  assert.deepEqual(impostorEvents, []);
  assert.equal(impostor.servers[0].stats.handshakes, 0);
  // The default certAuth.key file counts for a learned certificate too.
  await Deno.writeTextFile(
    `${client.directory}/certAuth.key`,
    await Deno.readTextFile(`${world.directory}/real/certAuth.key`),
  );
  await assert.rejects(
    client.connect("bank", { certificate: fake.certificate, timeout: 0.5 }),
    { name: "HandshakeError" },
  );
  // The signed one connects, verified; allowUnsigned lets the other through,
  // visibly unverified.
  const genuine = all.find((server) => server.verified)!;
  const socket = await client.connect("bank", {
    certificate: genuine.certificate,
  });
  assert.equal(socket.certificateVerified, true);
  const unsigned = await client.connect("bank", {
    certificate: fake.certificate,
    allowUnsigned: true,
  });
  assert.equal(unsigned.certificateVerified, false);
  assert.equal(unsigned.protocol, "Noise_NK_25519_ChaChaPoly_SHA256");
  // A certificate from requestCertificate (allowUnsigned) is from the
  // network too.
  await real.close(real.servers[0]);
  const asked = await client.requestCertificate("bank", {
    timeout: 0.2,
    allowUnsigned: true,
  });
  assert.equal(asked.verified, false);
  await assert.rejects(
    client.connect("bank", { certificate: asked.certificate, timeout: 0.5 }),
    {
      name: "HandshakeError",
      message:
        'Cannot connect to "bank": the certificate came from the network and is not signed by the certificate authority',
    },
  );
});

Deno.test("CryptoNet: the user's own certificate (built or from a file) is still trusted as is", async () => {
  const { world, impostor, client, ca } = await bankAndImpostor();
  await using _ = world;
  const own = impostor.servers[0].certificate;
  // A copy the user built: trusted, checked only for certificateVerified.
  const socket = await client.connect("bank", {
    certificate: { ...own },
    certAuthKey: ca.publicKey,
  });
  assert.equal(socket.certificateVerified, false);
  assert.equal(socket.protocol, "Noise_NK_25519_ChaChaPoly_SHA256");
  await socket.close();
  // From a file in the working directory, with certAuth.key beside it.
  await Deno.copyFile(
    `${world.directory}/impostor/bank.crt`,
    `${client.directory}/bank.crt`,
  );
  await Deno.copyFile(
    `${world.directory}/real/certAuth.key`,
    `${client.directory}/certAuth.key`,
  );
  const fromFile = await client.connect("bank");
  assert.equal(fromFile.certificateVerified, false);
  assert.equal(fromFile.protocol, "Noise_NK_25519_ChaChaPoly_SHA256");
});
