// Copyright 2026 the moonwire authors. MIT license.
export type { Server, ServerStats } from "./_views.ts";
