// Copyright 2026 the moonwire authors. MIT license.
// Throw-away TLS material made with openssl for the socket and interop tests:
// a CA, a leaf for "localhost"/127.0.0.1 signed by it, a second unrelated CA,
// and on demand a client certificate signed by the first CA.

/** PEM strings and file paths of a throw-away CA and leaf certificate. */
export interface TestCertificates {
  dir: string;
  caCert: string;
  caCertPath: string;
  otherCaCert: string;
  otherCaCertPath: string;
  cert: string;
  certPath: string;
  key: string;
  keyPath: string;
  [Symbol.dispose](): void;
}

/** A new P-256 key without a passphrase. */
const EC_KEY = [
  "-newkey",
  "ec",
  "-pkeyopt",
  "ec_paramgen_curve:P-256",
  "-nodes",
];

/** Runs `openssl args` in `dir`; throws with its stderr when it fails. */
function openssl(dir: string, args: string[]): void {
  const out = new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  if (!out.success) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/**
 * Makes `<name>.key` and `<name>.crt` in `dir`: a new key whose certificate
 * for `subject`, with the extensions in `extensions`, is signed by ca.crt.
 */
function issueByCa(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): void {
  openssl(dir, [
    "req",
    ...EC_KEY,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  ]);
  Deno.writeTextFileSync(`${dir}/${name}.cnf`, extensions);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.cnf`,
  ]);
}

/** Creates the certificates in a fresh temp dir (removed on dispose). */
export function makeTestCertificates(): TestCertificates {
  const dir = Deno.makeTempDirSync({ prefix: "moonwire_tls_" });
  for (const name of ["ca", "other_ca"]) {
    openssl(dir, [
      "req",
      "-x509",
      ...EC_KEY,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=moonwire test ${name}`,
    ]);
  }
  issueByCa(
    dir,
    "leaf",
    "/CN=localhost",
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n" +
      "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
  );
  const read = (name: string) => Deno.readTextFileSync(`${dir}/${name}`);
  return {
    dir,
    caCert: read("ca.crt"),
    caCertPath: `${dir}/ca.crt`,
    otherCaCert: read("other_ca.crt"),
    otherCaCertPath: `${dir}/other_ca.crt`,
    cert: read("leaf.crt"),
    certPath: `${dir}/leaf.crt`,
    key: read("leaf.key"),
    keyPath: `${dir}/leaf.key`,
    [Symbol.dispose]() {
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** A client certificate signed by the test CA in `dir` (ca.crt/ca.key). */
export function makeClientCertificate(
  dir: string,
): { cert: string; key: string } {
  issueByCa(
    dir,
    "client",
    "/CN=moonwire client",
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  return {
    cert: Deno.readTextFileSync(`${dir}/client.crt`),
    key: Deno.readTextFileSync(`${dir}/client.key`),
  };
}
