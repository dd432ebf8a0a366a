// Copyright 2026 the moonwire authors. MIT license.
// Frame codec throughput: encode and decode of 64 B, 1 KiB and 64 KiB frames
// against a plain copy of the same bytes (the baseline, the ceiling). Each
// iteration handles 64 KiB of payload, so the groups compare like for like.
import { FrameDecoder, FrameEncoder } from "../net/frame_codec.ts";

const TOTAL = 64 * 1024;
const SIZES: [string, number][] = [["64 B", 64], ["1 KiB", 1024], [
  "64 KiB",
  64 * 1024,
]];
const RUNS = { n: 2000, warmup: 100 };

for (const [label, size] of SIZES) {
  const count = TOTAL / size;
  const payload = new Uint8Array(size).map((_, i) => i & 0xff);
  const payloads = Array.from({ length: count }, () => payload);
  const encoder = new FrameEncoder();
  const stream = encoder.encodeMany(payloads);
  let sink = 0;

  Deno.bench({
    name: `copy ${label} x${count}`,
    group: `encode ${label}`,
    baseline: true,
    ...RUNS,
    fn() {
      for (let i = 0; i < count; i++) sink += payload.slice().length;
    },
  });
  Deno.bench({
    name: `encode ${label} x${count}`,
    group: `encode ${label}`,
    ...RUNS,
    fn() {
      for (let i = 0; i < count; i++) sink += encoder.encode(payload).length;
    },
  });
  Deno.bench({
    name: `encodeMany ${label} x${count}`,
    group: `encode ${label}`,
    ...RUNS,
    fn() {
      sink += encoder.encodeMany(payloads).length;
    },
  });

  Deno.bench({
    name: `copy stream ${label}`,
    group: `decode ${label}`,
    baseline: true,
    ...RUNS,
    fn() {
      sink += stream.slice().length;
    },
  });
  Deno.bench({
    name: `decode ${label}, one chunk`,
    group: `decode ${label}`,
    ...RUNS,
    fn() {
      sink += new FrameDecoder().decode(stream).length;
    },
  });
  Deno.bench({
    name: `decode ${label}, 1460 B chunks`,
    group: `decode ${label}`,
    ...RUNS,
    fn() {
      const decoder = new FrameDecoder();
      for (let offset = 0; offset < stream.length; offset += 1460) {
        sink += decoder.decode(stream.subarray(offset, offset + 1460)).length;
      }
    },
  });
  globalThis.addEventListener("unload", () => {
    if (sink === -1) console.log(sink);
  });
}
