import { describe, expect, it } from 'vitest';
import { resolveEffectivePolicy } from '../policy/effective';
import { checkAcl, clientIp, parseCidr, rangeWithin } from './acl';

const policy = resolveEffectivePolicy([
  { source: 'account:root', policy: { ip_allow: ['10.0.0.0/8', '2001:db8::/32'], resources: ['/v1/*'] } },
  {
    source: 'account:team',
    policy: { ip_allow: ['10.1.0.0/16', '2001:db8:aa::/48'], resources: ['/v1/chat/*'] },
  },
]);

describe('checkAcl', () => {
  it('allows an address inside every layer, v4, v6 and v4-mapped v6', () => {
    for (const ip of ['10.1.2.3', '2001:db8:aa::1', '::ffff:10.1.0.9'])
      expect(checkAcl(policy, { ip, path: '/v1/chat/completions' })).toBeNull();
  });

  it('refuses an address outside any layer, naming that layer', () => {
    expect(checkAcl(policy, { ip: '10.2.0.1', path: '/v1/chat/completions' })).toMatchObject({
      code: 'ip_not_allowed',
      source: 'account:team',
    });
    expect(checkAcl(policy, { ip: '192.168.0.1', path: '/v1/chat/completions' })).toMatchObject({
      source: 'account:root',
    });
    expect(checkAcl(policy, { ip: '2001:db9::1', path: '/v1/chat/completions' })?.code).toBe(
      'ip_not_allowed',
    );
  });

  it('fails closed without a readable client address', () => {
    expect(checkAcl(policy, { ip: null, path: '/v1/chat/completions' })?.code).toBe('ip_not_allowed');
    expect(checkAcl(policy, { ip: 'garbage', path: '/v1/chat/completions' })?.code).toBe('ip_not_allowed');
  });

  it('refuses paths outside the resource allowlists (globs match across "/")', () => {
    expect(checkAcl(policy, { ip: '10.1.0.1', path: '/v1/embeddings' })).toMatchObject({
      code: 'resource_not_allowed',
      source: 'account:team',
    });
    const gemini = resolveEffectivePolicy([
      { source: 'k', policy: { resources: ['/v1beta/models/*:generateContent'] } },
    ]);
    expect(
      checkAcl(gemini, { ip: null, path: '/v1beta/models/gemini-2.0-flash:generateContent' }),
    ).toBeNull();
    expect(checkAcl(gemini, { ip: null, path: '/v1beta/models/x:embedContent' })?.code).toBe(
      'resource_not_allowed',
    );
  });

  it('allows everything when no layer sets a list', () => {
    expect(checkAcl(resolveEffectivePolicy([]), { ip: null, path: '/anything' })).toBeNull();
  });
});

describe('CIDR helpers', () => {
  it('parses strictly', () => {
    expect(parseCidr('10.0.0.0/8')).not.toBeNull();
    expect(parseCidr('10.0.0.1')?.[1]).toBe(32);
    expect(parseCidr('2001:db8::1')?.[1]).toBe(128);
    for (const bad of ['10.0.0.0/33', '10.1', '0x0a.0.0.1', '2001:db8::/129', '', 'x/8'])
      expect(parseCidr(bad)).toBeNull();
  });

  it('decides containment', () => {
    const r = (s: string) => parseCidr(s) as NonNullable<ReturnType<typeof parseCidr>>;
    expect(rangeWithin(r('10.1.0.0/16'), r('10.0.0.0/8'))).toBe(true);
    expect(rangeWithin(r('10.0.0.0/8'), r('10.1.0.0/16'))).toBe(false);
    expect(rangeWithin(r('10.0.0.0/8'), r('2001:db8::/32'))).toBe(false);
  });

  it('reads the client address from CF-Connecting-IP only', () => {
    expect(clientIp(new Headers({ 'cf-connecting-ip': ' 10.0.0.1 ', 'x-forwarded-for': '1.1.1.1' }))).toBe(
      '10.0.0.1',
    );
    expect(clientIp(new Headers({ 'x-forwarded-for': '1.1.1.1' }))).toBeNull();
  });
});
