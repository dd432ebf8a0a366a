// Copyright 2026 the moonwire authors. MIT license.
// The socket tests' TLS material now lives in tests/_certs.ts; this path stays
// for the tests that still import it from here.
export * from "../_certs.ts";
