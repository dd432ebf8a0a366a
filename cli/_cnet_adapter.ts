// Copyright 2026 the moonwire authors. MIT license.
// Every call the CLI makes on a CNetNode's CryptoNet node (`node.cryptoNet`),
// in one place: CNetNode is getting direct methods with these names
// (discover, initCertificateAuthority, signCertificate, addUser, ...), and
// then only this file changes.
import type {
  CNetNode,
  DiscoveredServer,
  DiscoverOptions,
  InitCertificateAuthorityOptions,
  Server,
  SignCertificateOptions,
} from "../cnet/mod.ts";
import type { Certificate, CertificateAuthority } from "../crypto/mod.ts";

/** Servers that answer a discovery request. */
export function discover(
  node: CNetNode,
  options: DiscoverOptions,
): Promise<DiscoveredServer[]> {
  return node.cryptoNet.discover(options);
}

/** Creates the CA key files in the node's directory. */
export function initCertificateAuthority(
  node: CNetNode,
  options: InitCertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  return node.cryptoNet.initCertificateAuthority(options);
}

/** Signs a certificate file in place with the CA private key. */
export function signCertificate(
  node: CNetNode,
  certificate: string,
  options: SignCertificateOptions,
): Promise<Certificate> {
  return node.cryptoNet.signCertificate(certificate, options);
}

/** Adds a user to a hosted server's table. */
export function addUser(
  node: CNetNode,
  server: Server,
  username: string,
  password: string,
  permissionLevel: number,
): Promise<void> {
  return node.cryptoNet.addUser(server, username, password, permissionLevel);
}

/** Deletes a user; resolves to whether it existed. */
export function deleteUser(
  node: CNetNode,
  server: Server,
  username: string,
): Promise<boolean> {
  return node.cryptoNet.deleteUser(server, username);
}

/** Whether the user is in the server's table. */
export function userExists(
  node: CNetNode,
  server: Server,
  username: string,
): boolean {
  return node.cryptoNet.userExists(server, username);
}

/** Replaces a user's password. */
export function setPassword(
  node: CNetNode,
  server: Server,
  username: string,
  password: string,
): Promise<void> {
  return node.cryptoNet.setPassword(server, username, password);
}
