// Lifetimes of what governors hand out, apart from the Durable Object class so the simulator
// (test/sim, on Node) runs the governors with the same values.
/** Grants to callers live under a second (C3's propagation bound and C5's fairness both need it). */
export const GRANT_TTL_MS = 500;
export const PARENT_LEASE_TTL_MS = 1_000;
