// Copyright 2026 the moonwire authors. MIT license.
// UdpModem's bounded send queue: transmit() past maxPendingSends or
// maxPendingBytes throws a RangeError (the Modem contract: transmit returns
// nothing and throws what it does not accept) and sends nothing of that
// transmission, to no peer; the accepted ones reach raw Deno.listenDatagram
// peers in order, and the modem transmits again once the queue drained.
import assert from "node:assert/strict";
import {
  UDP_MODEM_HEADER_LENGTH,
  UdpModem,
  type UdpModemPeer,
} from "../../cnet/udp_modem.ts";
import { rawUdpPeer } from "../_udp_peer.ts";
import { pollFor } from "../net/_poll_helpers.ts";

const encoder = new TextEncoder();

function peerOf(port: number): UdpModemPeer {
  return { hostname: "127.0.0.1", port };
}

// Transmits `text` on channel 1, or returns null when the queue is full.
function tryTransmit(modem: UdpModem, text: string): true | null {
  try {
    modem.transmit(1, 2, encoder.encode(text));
    return true;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

Deno.test("UdpModem.transmit past maxPendingSends throws a RangeError and sends nothing of it to any peer; the accepted ones arrive in order; it transmits again once drained", async () => {
  await using first = rawUdpPeer();
  await using second = rawUdpPeer();
  await using modem = await UdpModem.create({
    peers: [peerOf(first.port), peerOf(second.port)],
    maxPendingSends: 5,
  });
  modem.transmit(1, 2, encoder.encode("t0"));
  modem.transmit(1, 2, encoder.encode("t1"));
  // Two datagrams (one per peer) do not fit the one free place.
  assert.throws(() => modem.transmit(1, 2, encoder.encode("refused")), {
    name: "RangeError",
    message:
      "Cannot transmit: send queue is full (4 of 5 datagrams queued, 2 more do not fit)",
  });
  assert.equal(modem.stats.sent, 4);
  for (const peer of [first, second]) {
    await peer.expectInOrder(["t0", "t1"], "accepted", UDP_MODEM_HEADER_LENGTH);
  }
  await pollFor(() => tryTransmit(modem, "again"));
  for (const peer of [first, second]) {
    await peer.expectInOrder(
      ["again"],
      "after the drain",
      UDP_MODEM_HEADER_LENGTH,
    );
  }
  assert.deepEqual(modem.stats, {
    sent: 6,
    sendErrors: 0,
    receiveErrors: 0,
    delivered: 0,
    dropped: 0,
  });
});

Deno.test("UdpModem.transmit past maxPendingBytes throws a RangeError; fill, then close: the accepted ones arrive", async () => {
  await using peer = rawUdpPeer();
  const modem = await UdpModem.create({
    peers: [peerOf(peer.port)],
    maxPayloadSize: 100,
    maxPendingBytes: 250,
  });
  const payload = (label: string) => encoder.encode(label.padEnd(100, "."));
  modem.transmit(1, 2, payload("a"));
  modem.transmit(1, 2, payload("b"));
  assert.throws(() => modem.transmit(1, 2, payload("refused")), {
    name: "RangeError",
    message:
      "Cannot transmit: send queue is full (224 of 250 bytes queued, 112 more do not fit)",
  });
  // 26 bytes are left: a 14-byte payload (26 with its header) still fits.
  modem.transmit(1, 2, encoder.encode("c".padEnd(14, ".")));
  modem.close();
  await modem.closed;
  await peer.expectInOrder(
    ["a".padEnd(100, "."), "b".padEnd(100, "."), "c".padEnd(14, ".")],
    "byte bound",
    UDP_MODEM_HEADER_LENGTH,
  );
  assert.equal(modem.stats.sent, 3);
});

Deno.test("UdpModem.create checks the send-queue bounds", async () => {
  await assert.rejects(UdpModem.create({ peers: [], maxPendingSends: 0 }), {
    name: "RangeError",
    message:
      "Cannot create UDP modem: maxPendingSends must be a positive integer, got 0",
  });
  await assert.rejects(
    UdpModem.create({ peers: [], maxPayloadSize: 100, maxPendingBytes: 111 }),
    {
      name: "RangeError",
      message:
        "Cannot create UDP modem: maxPendingBytes 111 is smaller than the largest datagram (112 bytes)",
    },
  );
});
