import { describe, expect, it } from 'vitest';
import { isLuhnCardNumber, sensitiveInUrl } from '../../../shared/discovery/sensitive.js';

describe('sensitiveInUrl', () => {
  it('finds emails in the path and the query', () => {
    expect(sensitiveInUrl('/users/alice@example.com')).toEqual(['email']);
    expect(sensitiveInUrl('/lookup', 'email=bob%40example.com')).toEqual(['email']);
  });

  it('finds card numbers only when Luhn passes', () => {
    expect(sensitiveInUrl('/pay/4111111111111111')).toEqual(['card-number']);
    expect(sensitiveInUrl('/pay', 'pan=4111-1111-1111-1111')).toEqual(['card-number']);
    expect(sensitiveInUrl('/orders/4111111111111112')).toEqual([]);
    expect(isLuhnCardNumber('79927398713')).toBe(false); // too short for a card
  });

  it('finds credentials: named parameters, JWTs, known key formats', () => {
    expect(sensitiveInUrl('/data', 'api_key=abc&page=2')).toEqual(['credential-param']);
    expect(sensitiveInUrl('/data', 'access_token=')).toEqual([]);
    expect(sensitiveInUrl('/login', 'user=a&password=hunter2')).toEqual(['password']);
    expect(
      sensitiveInUrl(
        '/cb/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      ),
    ).toEqual(['jwt']);
    expect(sensitiveInUrl('/x', 'k=AKIAIOSFODNN7EXAMPLE')).toEqual(['api-key']);
    expect(sensitiveInUrl('/x', `k=sk_live_${'a'.repeat(24)}`)).toEqual(['api-key']);
  });

  it('reports kinds, never values', () => {
    const kinds = sensitiveInUrl('/u/alice@example.com', 'token=s3cr3t&card=4111111111111111');
    expect(kinds).toEqual(['card-number', 'credential-param', 'email']);
    expect(JSON.stringify(kinds)).not.toContain('alice');
  });
});
