// Lifetimes of what governors hand out, apart from the Durable Object class so the simulator
// (test/sim, on Node) runs the governors with the same values.
/** Grants to callers live under a second (policy changes reach every isolate within a second, and limits stay fair). */
export const GRANT_TTL_MS = 500;
export const PARENT_LEASE_TTL_MS = 1_000;
