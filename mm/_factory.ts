// Copyright 2026 the moonwire authors. MIT license.
// Lets Server create ClientConnection handles while their constructor stays
// private to users (typed loosely here to keep imports acyclic).
import type { NetworkObject } from "./network_event.ts";

export const connectionFactory: {
  create?: (socketId: number, address: string, port: number) => NetworkObject;
} = {};
