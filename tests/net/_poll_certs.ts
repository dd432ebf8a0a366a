// Copyright 2026 the moonwire authors. MIT license.
// Throw-away TLS material made with openssl for the socket tests: a CA, a
// leaf for "localhost"/127.0.0.1 signed by it, and a second unrelated CA.

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

/** Creates the certificates in a fresh temp dir (removed on dispose). */
export function makeTestCertificates(): TestCertificates {
  const dir = Deno.makeTempDirSync({ prefix: "moonwire_tls_" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  for (const name of ["ca", "other_ca"]) {
    openssl(dir, [
      "req",
      "-x509",
      ...ec,
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
  openssl(dir, [
    "req",
    ...ec,
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=localhost",
  ]);
  Deno.writeTextFileSync(
    `${dir}/ext.cnf`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n" +
      "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "leaf.crt",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ]);
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
