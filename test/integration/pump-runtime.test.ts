// The pump in workerd, where the client's bytes go through a native IdentityTransformStream: a
// client that leaves is noticed from the stream itself (the write side fails), not from a callback.
import { expect, it } from 'vitest';
import { pumpCases } from './pump-cases';

it('runs on the native byte stream here', () => {
  expect(typeof IdentityTransformStream).toBe('function');
});

pumpCases('workerd');
