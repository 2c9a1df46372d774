import { afterEach, expect, inject } from 'vitest';

// Fakes fail closed: after every integration test, the fake provider must not have seen a request
// it could not serve (an unknown route, an unrecognised `fake-` key, a crash in the fake). The test
// files share one fake and some reset it, so this reads the lifetime record no reset clears; a miss
// fails the test that was running then (and every later one, so it cannot go unnoticed).
const fakeUrl = inject('fakeProviderUrl');

afterEach(async () => {
  const res = await fetch(`${fakeUrl}/__fake/unexpected`);
  const { unexpected } = (await res.json()) as { unexpected: { method: string; path: string }[] };
  expect(
    unexpected.map((r) => `${r.method} ${r.path}`),
    'the fake provider saw requests no test expected',
  ).toEqual([]);
});
