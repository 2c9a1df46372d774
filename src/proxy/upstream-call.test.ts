import { describe, expect, it } from 'vitest';
import { CredentialError } from '../providers/credential-error';
import { fetchUpstream, skippingUnusableKey, UpstreamUnreachable } from './upstream-call';

describe('upstream call failures', () => {
  it('skips only a key that cannot be reached or whose credential cannot be produced', async () => {
    await expect(skippingUnusableKey(Promise.reject(new UpstreamUnreachable(false)))).resolves.toBeNull();
    await expect(
      skippingUnusableKey(Promise.reject(new CredentialError('refused', true))),
    ).resolves.toBeNull();
    // Anything else is the gateway's own error: it propagates (and is logged by the app) instead of
    // being swallowed as "try the next key".
    await expect(skippingUnusableKey(Promise.reject(new TypeError('bug')))).rejects.toBeInstanceOf(TypeError);
    await expect(skippingUnusableKey(Promise.resolve(1))).resolves.toBe(1);
  });

  it('types a network failure and an abort as unreachable', async () => {
    // Port 1 on loopback: nothing listens.
    const refused = fetchUpstream('http://127.0.0.1:1/', {
      method: 'POST',
      signal: new AbortController().signal,
    });
    await expect(refused).rejects.toMatchObject({ name: 'UpstreamUnreachable', timedOut: false });
    const aborted = fetchUpstream('http://127.0.0.1:1/', { method: 'POST', signal: AbortSignal.abort() });
    await expect(aborted).rejects.toMatchObject({ name: 'UpstreamUnreachable', timedOut: true });
  });
});
