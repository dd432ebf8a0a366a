// Copyright 2026 the moonwire authors. MIT license.
// `moonwire cert new|sign|show`: server certificates (`<name>.crt`) and their
// private keys (`<name>_private.key`), named as CryptoNet names them.
import { dirname, resolve } from "node:path";
import { CNetNode } from "../cnet/mod.ts";
import {
  generateCertificate,
  readCertificateFile,
  verifyCertificate,
  writeCertificateFile,
  writeKeyFile,
} from "../crypto/mod.ts";
import {
  type CommandInput,
  type CommandSpec,
  DIR_OPTION,
  directoryOption,
  type GroupSpec,
  JSON_OPTION,
  nameArgument,
  type OptionSpec,
  stringOption,
} from "./_args.ts";
import { exists, readCaPublicKey, requireFile } from "./_files.ts";
import { fingerprint } from "./_fingerprint.ts";

const CA_OPTION: Record<string, OptionSpec> = {
  ca: {
    type: "string",
    value: "DIR",
    description: "Folder holding certAuth_private.key",
    default: "--dir",
  },
};

/** Signs `path` in place with the CA key of `--ca` (default `--dir`). */
async function signFile(input: CommandInput, path: string) {
  const caDirectory = resolve(
    Deno.cwd(),
    stringOption(input, "ca") ?? directoryOption(input),
  );
  await using node = new CNetNode({ directory: caDirectory });
  const certAuthPrivateKey = `${caDirectory}/certAuth_private.key`;
  await requireFile("sign certificate", "certificate", path);
  await requireFile(
    "sign certificate",
    "CA private key",
    certAuthPrivateKey,
    "ca init makes one; --ca DIR names its folder",
  );
  const signed = await node.signCertificate(path, { certAuthPrivateKey });
  return { signed, certAuthPrivateKey };
}

const create: CommandSpec = {
  path: "cert new",
  args: ["NAME"],
  summary:
    "Create a server certificate NAME.crt and its private key NAME_private.key",
  options: {
    ...DIR_OPTION,
    sign: {
      type: "boolean",
      description: "Sign it with the certificate authority",
    },
    ...CA_OPTION,
    force: { type: "boolean", description: "Replace existing files" },
    ...JSON_OPTION,
  },
  async run(input, out) {
    const name = nameArgument(input.positionals[0]);
    const directory = directoryOption(input);
    const certificatePath = `${directory}/${name}.crt`;
    const privateKeyPath = `${directory}/${name}_private.key`;
    if (input.values.force !== true) {
      for (const path of [certificatePath, privateKeyPath]) {
        if (await exists(path)) {
          throw new Error(
            `Cannot create certificate: ${path} already exists (--force replaces it)`,
          );
        }
      }
    }
    await Deno.mkdir(directory, { recursive: true });
    const { certificate, privateKey } = generateCertificate(name);
    await writeKeyFile(privateKeyPath, privateKey, {
      algorithm: "x25519",
      private: true,
    });
    await writeCertificateFile(certificatePath, certificate);
    const signedBy = input.values.sign === true
      ? (await signFile(input, certificatePath)).certAuthPrivateKey
      : null;
    const print = await fingerprint(certificate.publicKey);
    out.result(
      {
        name,
        certificatePath,
        privateKeyPath,
        fingerprint: print,
        signed: signedBy !== null,
      },
      `created certificate ${name} ${print}${
        signedBy === null ? " (unsigned)" : ` signed with ${signedBy}`
      }\n  certificate ${certificatePath}\n  private key ${privateKeyPath}`,
    );
  },
};

const sign: CommandSpec = {
  path: "cert sign",
  args: ["FILE"],
  summary: "Sign a certificate file in place with the certificate authority",
  options: { ...DIR_OPTION, ...CA_OPTION, ...JSON_OPTION },
  async run(input, out) {
    const path = resolve(Deno.cwd(), input.positionals[0]);
    const { signed, certAuthPrivateKey } = await signFile(input, path);
    out.result(
      { name: signed.name, certificatePath: path, signed: true },
      `signed certificate ${signed.name} (${path}) with ${certAuthPrivateKey}`,
    );
  },
};

const show: CommandSpec = {
  path: "cert show",
  args: ["FILE"],
  summary:
    "Show a certificate: name, key fingerprint, signed or not, valid against the CA key or not",
  options: {
    "ca-key": {
      type: "string",
      value: "FILE",
      description: "Certificate authority public key to check against",
      default: "certAuth.key beside FILE, when there is one",
    },
    ...JSON_OPTION,
  },
  async run(input, out) {
    const path = resolve(Deno.cwd(), input.positionals[0]);
    await requireFile("show certificate", "file", path);
    const certificate = await readCertificateFile(path);
    const given = stringOption(input, "ca-key");
    const caKeyPath = given !== undefined
      ? resolve(Deno.cwd(), given)
      : `${dirname(path)}/certAuth.key`;
    const caKey = await readCaPublicKey(caKeyPath, given !== undefined);
    const valid = caKey === undefined
      ? null
      : verifyCertificate(certificate, caKey);
    const signed = certificate.signature !== undefined;
    const print = await fingerprint(certificate.publicKey);
    out.result(
      {
        name: certificate.name,
        fingerprint: print,
        signed,
        valid,
        caKey: valid === null ? null : caKeyPath,
      },
      [
        `name        ${certificate.name}`,
        `fingerprint ${print}`,
        `signed      ${signed ? "yes" : "no"}`,
        `valid       ${
          valid === null
            ? "unknown (no CA key; --ca-key FILE)"
            : `${valid ? "yes" : "no"} against ${caKeyPath}`
        }`,
      ].join("\n"),
    );
  },
};

export const CERT_GROUP: GroupSpec = {
  name: "cert",
  summary: "Server certificates",
  commands: [create, sign, show],
};
