// Copyright 2026 the moonwire authors. MIT license.
// P4: mm encrypted 64 KiB byte-string tables vs Deno TLS moving the same
// bytes (a certificate made at start), one way over loopback.
import {
  perSecond,
  ratioRow,
  type Sample,
  type Target,
  timed,
} from "./_target.ts";
import {
  readTotal,
  type TlsMaterial,
  tlsPair,
  writeAll,
} from "../_loopback.ts";
import { CIPHER_KEY, mmOneWayTime } from "./_mm.ts";

const COUNT = 160;
const TABLE = { data: new Uint8Array(64 * 1024).fill(7) };

/** Makes the P4 target; each measurement uses a fresh connection. */
export function mmTlsTarget(tls: TlsMaterial): Target {
  const buffer = new Uint8Array(256 * 1024);
  const total = TABLE.data.length * COUNT;
  return {
    title: `P4 mm encrypted 64 KiB tables vs Deno TLS, ${COUNT} x 64 KiB`,
    rounds: 5,
    warmup: true,
    rows: [
      ratioRow(
        "P4 64 KiB encrypted",
        (b, m) => b.ms / m.ms,
        1.0,
        ">=",
        (b, m) => {
          const rate = (samples: Sample[]) =>
            perSecond(total / 1e6, samples, "ms").toFixed(0);
          return `${rate(m)} MB/s vs TLS ${rate(b)} MB/s`;
        },
      ),
    ],
    async measure(side) {
      if (side === "baseline") {
        const [client, server] = await tlsPair(tls);
        try {
          const ms = await timed(() =>
            Promise.all([
              readTotal(server, buffer, total),
              (async () => {
                for (let i = 0; i < COUNT; i++) {
                  await writeAll(client, TABLE.data);
                }
              })(),
            ])
          );
          return { ms };
        } finally {
          client.close();
          server.close();
        }
      }
      return { ms: await mmOneWayTime(TABLE, COUNT, CIPHER_KEY) };
    },
    async close() {},
  };
}
