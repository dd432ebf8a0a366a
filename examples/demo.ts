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
} from "../crypto/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function step(text: string): void {
  console.log(`  - ${text}`);
}

function hex(bytes: Uint8Array, length = 8): string {
  return Array.from(
    bytes.subarray(0, length),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("") +
    "…";
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

console.log("moonwire demo\n");
await demoCrypto();
console.log("\ndemo complete");
