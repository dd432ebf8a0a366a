// Copyright 2026 the moonwire authors. MIT license.
export type { SessionProtocol, Socket } from "./_views.ts";
