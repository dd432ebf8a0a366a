// Copyright 2026 the moonwire authors. MIT license.
// The CA bundle the polling API trusts for TLS, shared by cacert_path.ts
// (get/set) and tcp.ts (use).
import { X509Certificate } from "node:crypto";

/** Where Linux/BSD distributions keep the system CA bundle. */
export const SYSTEM_BUNDLE_PATHS: readonly string[] = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
  "/etc/ssl/ca-bundle.pem",
  "/etc/pki/tls/cacert.pem",
  "/etc/ssl/cert.pem",
  "/usr/local/share/certs/ca-root-nss.crt",
];

interface Bundle {
  path: string | null;
  // Parsed PEM blocks; undefined until first needed (system bundle is lazy).
  certs?: string[];
}

let bundle: Bundle | undefined;

function findSystemBundle(): string | null {
  for (const path of SYSTEM_BUNDLE_PATHS) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not here (or not readable); try the next one.
    }
  }
  return null;
}

function current(): Bundle {
  bundle ??= { path: findSystemBundle() };
  return bundle;
}

/** Reads and checks a PEM bundle; throws a clear error when unusable. */
export function loadBundle(path: string, action: string): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot ${action}: ${path} does not exist`,
        { cause: error },
      );
    }
    throw new Error(
      `Cannot ${action}: ${path}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  const blocks = text.match(
    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
  );
  if (!blocks) {
    throw new SyntaxError(
      `Cannot ${action}: ${path} contains no PEM certificate`,
    );
  }
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new SyntaxError(
        `Cannot ${action}: certificate ${index + 1} in ${path} is invalid`,
        { cause: error },
      );
    }
  });
  return blocks;
}

/** The current bundle path (the system bundle unless set). */
export function getBundlePath(): string | null {
  return current().path;
}

/** Sets and loads a bundle now, so a bad file is reported at once. */
export function setBundlePath(path: string): void {
  const certs = loadBundle(path, "set CA bundle path");
  bundle = { path, certs };
}

/** The trusted PEM certificates to pass to TLS, or undefined for none. */
export function bundleCerts(): string[] | undefined {
  const { path, certs } = current();
  if (path === null) return undefined;
  if (certs) return certs;
  const loaded = loadBundle(path, "load CA bundle");
  current().certs = loaded;
  return loaded;
}
