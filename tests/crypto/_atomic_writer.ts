// Copyright 2026 the moonwire authors. MIT license.
// Child process for the kill-loop test: rewrites one file atomically
// forever, alternating two contents, and prints "ready" after the first.
import { writeFileAtomic } from "../../crypto/write_file_atomic.ts";

const [path, a, b] = Deno.args;
const contents = [a, b].map((c) => c.repeat(64 * 1024));
let i = 0;
for (;;) {
  await writeFileAtomic(path, contents[i++ % 2], { mode: 0o600 });
  if (i === 1) console.log("ready");
}
