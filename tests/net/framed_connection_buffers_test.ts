// Copyright 2026 the moonwire authors. MIT license.
// What a received frame is a view of: with borrowFrames the socket's one
// reused read buffer (valid until the next read call), by default bytes
// that never change.
import assert from "node:assert/strict";
import {
  FramedConnection,
  type FramedConnectionOptions,
} from "../../net/framed_connection.ts";
import { FrameEncoder } from "../../net/frame_codec.ts";

async function rawPeer(
  options: FramedConnectionOptions,
): Promise<{ framed: FramedConnection; raw: Deno.Conn }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const raw = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  return { framed: new FramedConnection(await accepted, options), raw };
}

const encoder = new FrameEncoder();

Deno.test("FramedConnection borrowFrames: a frame is only valid until the next read call (the next data lands in the same buffer)", async () => {
  const { framed, raw } = await rawPeer({ borrowFrames: true });
  try {
    await raw.write(encoder.encode(new Uint8Array(100).fill(1)));
    const first = (await framed.read())!;
    assert.deepEqual(first, new Uint8Array(100).fill(1));
    await raw.write(encoder.encode(new Uint8Array(100).fill(2)));
    const second = (await framed.read())!;
    assert.deepEqual(second, new Uint8Array(100).fill(2));
    // Same buffer, same place: the borrowed first frame now shows the
    // second one's bytes.
    assert.equal(first.buffer, second.buffer);
    assert.equal(first.byteOffset, second.byteOffset);
    assert.deepEqual(first, new Uint8Array(100).fill(2));
  } finally {
    raw.close();
    await framed.close();
  }
});

for (const readMany of [false, true]) {
  Deno.test(
    `FramedConnection without borrowFrames: a frame never changes after later reads (${
      readMany ? "readMany" : "read"
    })`,
    async () => {
      const { framed, raw } = await rawPeer({});
      const next = async () =>
        readMany ? (await framed.readMany())![0] : (await framed.read())!;
      try {
        await raw.write(encoder.encode(new Uint8Array(100).fill(1)));
        const first = await next();
        // Small reads, then one big enough to be handed out whole, then more.
        for (const [size, fill] of [[100, 2], [900, 3], [100, 4]]) {
          await raw.write(encoder.encode(new Uint8Array(size).fill(fill)));
          assert.deepEqual(await next(), new Uint8Array(size).fill(fill));
          assert.deepEqual(first, new Uint8Array(100).fill(1));
        }
      } finally {
        raw.close();
        await framed.close();
      }
    },
  );
}
