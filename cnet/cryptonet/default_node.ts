// Copyright 2026 the moonwire authors. MIT license.
// The seed-style module-level functions (seed 000's `CryptoNet.*`): each
// calls the same method on the default node (one per program, like the
// computer a Lua script runs on), so they are a face over CryptoNetNode, not
// a second implementation. Split by what they touch.
export * from "./default_node_current.ts";
export * from "./default_node_sessions.ts";
export * from "./default_node_users.ts";
export * from "./default_node_certificates.ts";
