// Copyright 2026 the moonwire authors. MIT license.
// File handling of the CryptoNet layer: server identities (certificate and
// private key, generated together when both are missing), client-side
// certificates and certificate authority keys, all relative to a node's
// working directory.
import { dirname, isAbsolute, join } from "node:path";
import {
  type Certificate,
  type CertificateAuthority,
  createCertificateAuthority,
  generateCertificate,
  type KeyPair,
  keyPairFromPrivateKey,
  readCertificateFile,
  readKeyFile,
  removeStaleTemp,
  signCertificate as signWithCa,
  timingSafeEqual,
  writeCertificateFile,
  writeKeyFile,
} from "../../crypto/mod.ts";

export function resolvePath(directory: string, path: string): string {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError("Cannot resolve path: path must be a non-empty string");
  }
  return isAbsolute(path) ? path : join(directory, path);
}

/**
 * The default file name `<name><suffix>` for a server name. Names come from
 * callers and, through discovery, from the network, so they must be one
 * plain file-name component: "../x", "/etc/x" or "a\\b" would otherwise
 * read or write outside the working directory. Explicit paths given by the
 * caller are not checked here; only derived names are.
 */
export function defaultFileName(
  action: string,
  name: string,
  suffix: string,
): string {
  if (
    name === "." || name === ".." || name.includes("/") ||
    name.includes("\\") || name.includes("\0")
  ) {
    throw new RangeError(
      `Cannot ${action}: server name must not contain "/", "\\" or NUL, or be "." or ".."`,
    );
  }
  return name + suffix;
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function isCertificate(value: unknown): value is Certificate {
  return typeof value === "object" && value !== null &&
    typeof (value as Certificate).name === "string" &&
    (value as Certificate).publicKey instanceof Uint8Array;
}

export interface ServerIdentity {
  certificate: Certificate;
  keyPair: KeyPair;
  /** Files written because both were missing. */
  generated: string[];
}

/** Loads (or generates) a server's certificate and X25519 key pair. */
export async function loadServerIdentity(
  name: string,
  directory: string,
  certificateOption: Certificate | string | undefined,
  privateKeyOption: Uint8Array | string | undefined,
): Promise<ServerIdentity> {
  const action = `Cannot host "${name}"`;
  const hostAction = `host "${name}"`;
  if (
    certificateOption !== undefined && typeof certificateOption !== "string" &&
    !isCertificate(certificateOption)
  ) {
    throw new TypeError(
      `${action}: certificate must be a Certificate or a file path`,
    );
  }
  if (
    privateKeyOption !== undefined && typeof privateKeyOption !== "string" &&
    !(privateKeyOption instanceof Uint8Array)
  ) {
    throw new TypeError(
      `${action}: privateKey must be a Uint8Array or a file path`,
    );
  }
  const certificatePath = typeof certificateOption === "object"
    ? undefined
    : resolvePath(
      directory,
      certificateOption ?? defaultFileName(hostAction, name, ".crt"),
    );
  const keyPath = privateKeyOption instanceof Uint8Array
    ? undefined
    : resolvePath(
      directory,
      privateKeyOption ?? defaultFileName(hostAction, name, "_private.key"),
    );
  const generated: string[] = [];
  let certificate: Certificate;
  let privateKey: Uint8Array;
  // A write killed mid-way leaves `.<name>.tmp` (mode 0600, maybe the
  // private key): gone before the files are read or generated.
  for (const path of [certificatePath, keyPath]) {
    if (path !== undefined) await removeStaleTemp(path);
  }
  if (certificatePath !== undefined && keyPath !== undefined) {
    const haveCertificate = await fileExists(certificatePath);
    const haveKey = await fileExists(keyPath);
    if (!haveCertificate && !haveKey) {
      const made = generateCertificate(name);
      // Key first: a crash in between leaves a key without a certificate,
      // which is refused loudly rather than silently replaced.
      await writeKeyFile(keyPath, made.privateKey, {
        algorithm: "x25519",
        private: true,
      });
      await writeCertificateFile(certificatePath, made.certificate);
      generated.push(certificatePath, keyPath);
      return {
        certificate: made.certificate,
        keyPair: keyPairFromPrivateKey("x25519", made.privateKey),
        generated,
      };
    }
    if (haveCertificate !== haveKey) {
      const [found, missing] = haveCertificate
        ? [certificatePath, keyPath]
        : [keyPath, certificatePath];
      throw new Error(
        `${action}: found ${found} but not ${missing}; provide both or neither`,
      );
    }
  }
  if (certificatePath === undefined) {
    certificate = certificateOption as Certificate;
  } else {
    certificate = await readCertificateFile(certificatePath);
  }
  if (keyPath === undefined) {
    privateKey = privateKeyOption as Uint8Array;
  } else {
    privateKey = await readKeyFile(keyPath, {
      algorithm: "x25519",
      private: true,
    });
  }
  if (certificate.name !== name) {
    throw new Error(
      `${action}: the certificate is for "${certificate.name}"`,
    );
  }
  const keyPair = keyPairFromPrivateKey("x25519", privateKey);
  if (!timingSafeEqual(keyPair.publicKey, certificate.publicKey)) {
    throw new Error(
      `${action}: the private key does not match the certificate`,
    );
  }
  return { certificate, keyPair, generated };
}

/**
 * The certificate a client uses for `connect`: the given one, the given
 * file, or `<serverName>.crt` when that file exists (else undefined).
 */
export async function loadClientCertificate(
  serverName: string | undefined,
  directory: string,
  option: Certificate | string | undefined,
): Promise<Certificate | undefined> {
  if (option !== undefined) {
    if (typeof option === "string") {
      return await readCertificateFile(resolvePath(directory, option));
    }
    if (!isCertificate(option)) {
      throw new TypeError(
        "Cannot connect: certificate must be a Certificate or a file path",
      );
    }
    return option;
  }
  if (serverName === undefined) return undefined;
  const path = resolvePath(
    directory,
    defaultFileName(`connect to "${serverName}"`, serverName, ".crt"),
  );
  if (!(await fileExists(path))) return undefined;
  return await readCertificateFile(path);
}

/**
 * The certificate authority public key: the given bytes, or the file (default
 * `certAuth.key`) when it exists. A file that exists but is invalid throws:
 * verification is never silently turned off by a broken key file. A
 * required file that is missing is a NotFound naming `action` and the path.
 */
export async function loadCaKey(
  directory: string,
  option: Uint8Array | string | undefined,
  required: boolean,
  action: string,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (option instanceof Uint8Array) {
    if (option.length !== 32) {
      throw new RangeError(
        `Cannot load certificate authority key: expected 32 bytes, got ${option.length}`,
      );
    }
    return option.slice();
  }
  if (option !== undefined && typeof option !== "string") {
    throw new TypeError(
      "Cannot load certificate authority key: certAuthKey must be a Uint8Array or a file path",
    );
  }
  const path = resolvePath(directory, option ?? "certAuth.key");
  if (!required && !(await fileExists(path))) return undefined;
  try {
    return await readKeyFile(path, { algorithm: "ed25519", private: false });
  } catch (cause) {
    if (!(cause instanceof Deno.errors.NotFound)) throw cause;
    // Loading the key is the action itself: the path is its target.
    throw new Deno.errors.NotFound(
      action === LOAD_CA_KEY
        ? `Cannot ${action} ${path}: file not found`
        : `Cannot ${action}: certificate authority key ${path} not found`,
      { cause },
    );
  }
}

/** The action of `loadCertAuthKey`, whose message names the file as target. */
export const LOAD_CA_KEY = "load certificate authority key";

export interface CaPaths {
  publicKeyPath: string;
  privateKeyPath: string;
}

export async function initCa(
  paths: CaPaths,
  overwrite: boolean,
): Promise<CertificateAuthority> {
  if (!overwrite) {
    for (const path of [paths.publicKeyPath, paths.privateKeyPath]) {
      if (await fileExists(path)) {
        throw new Error(
          `Cannot initialise certificate authority: ${path} already exists`,
        );
      }
    }
  }
  const ca = createCertificateAuthority();
  for (
    const [path, key, isPrivate] of [
      [paths.privateKeyPath, ca.privateKey, true],
      [paths.publicKeyPath, ca.publicKey, false],
    ] as const
  ) {
    try {
      await writeKeyFile(path, key, {
        algorithm: "ed25519",
        private: isPrivate,
      });
    } catch (cause) {
      if (!(cause instanceof Deno.errors.NotFound)) throw cause;
      // The raw error names the temporary file; the folder is what is missing.
      throw new Deno.errors.NotFound(
        `Cannot create certificate authority in ${
          dirname(path)
        }: folder not found`,
        { cause },
      );
    }
  }
  return ca;
}

export async function signCertificateFileOrValue(
  directory: string,
  certificate: Certificate | string,
  caPrivateKey: Uint8Array | string | undefined,
): Promise<Certificate> {
  let key: Uint8Array;
  if (caPrivateKey instanceof Uint8Array) {
    key = caPrivateKey;
  } else {
    key = await readKeyFile(
      resolvePath(directory, caPrivateKey ?? "certAuth_private.key"),
      { algorithm: "ed25519", private: true },
    );
  }
  if (typeof certificate === "string") {
    const path = resolvePath(directory, certificate);
    const signed = signWithCa(await readCertificateFile(path), key);
    await writeCertificateFile(path, signed);
    return signed;
  }
  if (!isCertificate(certificate)) {
    throw new TypeError(
      "Cannot sign certificate: expected a Certificate or a file path",
    );
  }
  return signWithCa(certificate, key);
}
