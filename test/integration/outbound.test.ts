import { expect, it } from 'vitest';

// Fakes fail closed: the Worker under test reaches only loopback (vitest.config.ts `outboundService`),
// so a request that would leave the machine throws instead of reaching a real host.
it('refuses an outbound fetch to anything but loopback', async () => {
  await expect(
    fetch('http://10.1.2.3:9/v1/chat/completions', { method: 'POST', body: '{}' }),
  ).rejects.toThrow();
});
