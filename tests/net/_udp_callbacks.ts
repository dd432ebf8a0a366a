// Copyright 2026 the moonwire authors. MIT license.
// Callbacks for UdpEndpoint tests that only send: received datagrams are
// ignored, every onError is recorded as "code: message".
import type { UdpCallbacks } from "../../net/udp_endpoint.ts";

/** Callbacks that push each `onError` call onto `errors`. */
export function silentCallbacks(errors: string[]): UdpCallbacks {
  return {
    onReceivedData: () => {},
    onError: (code, message) => errors.push(`${code}: ${message}`),
  };
}
