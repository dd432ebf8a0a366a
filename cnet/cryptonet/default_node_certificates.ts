// Copyright 2026 the moonwire authors. MIT license.
// Seed 000's face: the certificate authority on the default node; each
// function calls the same CryptoNetNode method.
import type { Certificate, CertificateAuthority } from "../../crypto/mod.ts";
import type {
  InitCertificateAuthorityOptions,
  SignCertificateOptions,
} from "./cryptonet_node.ts";
import { getDefaultNode } from "./default_node_current.ts";

/**
 * Creates a certificate authority's key files; see {@linkcode CryptoNetNode.initCertificateAuthority}.
 *
 * @param options File paths and overwrite.
 * @returns The authority's keys.
 *
 * @example Create a CA
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * const ca = await CryptoNet.initCertificateAuthority();
 * assert.equal(ca.publicKey.length, 32);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function initCertificateAuthority(
  options?: InitCertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  return getDefaultNode().initCertificateAuthority(options);
}

/**
 * Signs a certificate (or its file) with the CA key; see {@linkcode CryptoNetNode.signCertificate}.
 *
 * @param certificate A certificate or its file.
 * @param options The CA private key or its file.
 * @returns The signed certificate.
 *
 * @example Sign a certificate
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * await CryptoNet.initCertificateAuthority();
 * const server = await CryptoNet.host("sign-fn-doc");
 * const signed = await CryptoNet.signCertificate(server.certificate);
 * assert.equal(signed.signature?.length, 64);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function signCertificate(
  certificate: Certificate | string,
  options?: SignCertificateOptions,
): Promise<Certificate> {
  return getDefaultNode().signCertificate(certificate, options);
}

/**
 * Reads a certificate authority public key file; see {@linkcode CryptoNetNode.loadCertAuthKey}.
 *
 * @param path Default `certAuth.key`.
 * @returns The 32-byte key.
 *
 * @example Load the CA key
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * CryptoNet.setDefaultNode(
 *   new CryptoNet.CryptoNetNode({
 *     directory,
 *     modems: { top: network.createModem(), bottom: network.createModem() },
 *   }),
 * );
 * const ca = await CryptoNet.initCertificateAuthority();
 * assert.deepEqual(await CryptoNet.loadCertAuthKey(), ca.publicKey);
 * await CryptoNet.getDefaultNode().close();
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function loadCertAuthKey(
  path?: string,
): Promise<Uint8Array<ArrayBuffer>> {
  return getDefaultNode().loadCertAuthKey(path);
}
