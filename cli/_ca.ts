// Copyright 2026 the moonwire authors. MIT license.
// `moonwire ca init`: a certificate authority's two key files.
import { CNetNode } from "../cnet/mod.ts";
import {
  type CommandSpec,
  DIR_OPTION,
  directoryOption,
  type GroupSpec,
  JSON_OPTION,
} from "./_args.ts";
import { fingerprint } from "./_fingerprint.ts";

const init: CommandSpec = {
  path: "ca init",
  args: [],
  summary:
    "Create a certificate authority: certAuth.key (public, give it to clients) and certAuth_private.key (mode 0600, signs certificates)",
  options: {
    ...DIR_OPTION,
    force: { type: "boolean", description: "Replace existing key files" },
    ...JSON_OPTION,
  },
  async run(input, out) {
    const directory = directoryOption(input);
    await Deno.mkdir(directory, { recursive: true });
    await using node = new CNetNode({ directory });
    const ca = await node.initCertificateAuthority({
      overwrite: input.values.force === true,
    });
    const publicKeyPath = `${directory}/certAuth.key`;
    const privateKeyPath = `${directory}/certAuth_private.key`;
    const print = await fingerprint(ca.publicKey);
    out.result(
      { publicKeyPath, privateKeyPath, fingerprint: print },
      `created certificate authority ${print}\n  public key  ${publicKeyPath}\n  private key ${privateKeyPath}`,
    );
  },
};

export const CA_GROUP: GroupSpec = {
  name: "ca",
  summary: "Certificate authority",
  commands: [init],
};
