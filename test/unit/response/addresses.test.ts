import { describe, expect, it } from 'vitest';
import {
  CidrList,
  canonicalCidr,
  cloudFrontRanges,
  hostCidr,
  parseAddress,
} from '../../../shared/response/addresses.js';

describe('addresses', () => {
  it('writes /32 and /128 host CIDRs in canonical form', () => {
    expect(hostCidr('45.33.32.156')).toBe('45.33.32.156/32');
    expect(hostCidr('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1/128');
    expect(hostCidr('::ffff:45.33.32.156')).toBe('45.33.32.156/32');
    expect(hostCidr('1:0:0:1:0:0:0:1')).toBe('1:0:0:1::1/128');
    expect(hostCidr('::')).toBe('::/128');
    expect(hostCidr('045.1.1.1')).toBeUndefined();
    expect(hostCidr('1.2.3.256')).toBeUndefined();
    expect(hostCidr('1::2::3')).toBeUndefined();
  });

  it('canonicalises what WAF returns, so sets compare', () => {
    expect(canonicalCidr('1111:0000:0000:0000:0000:0000:0000:0111/128')).toBe('1111::111/128');
    expect(canonicalCidr('10.1.2.3/8')).toBe('10.0.0.0/8');
  });

  it('matches ranges of both versions', () => {
    const list = new CidrList(['10.0.0.0/8', '2600:9000::/28']);
    expect(list.match('10.200.1.1')).toBe('10.0.0.0/8');
    expect(list.match('2600:900f::1')).toBe('2600:9000::/28');
    expect(list.match('2600:9010::1')).toBeUndefined();
    expect(parseAddress('::ffff:10.0.0.1')?.version).toBe(4);
    expect(list.match('::ffff:10.0.0.1')).toBe('10.0.0.0/8');
  });

  it('reads the CloudFront ranges from AWS ip-ranges.json', () => {
    const doc = {
      prefixes: [
        { ip_prefix: '130.176.0.0/17', service: 'CLOUDFRONT' },
        { ip_prefix: '3.5.140.0/22', service: 'AMAZON' },
        { ip_prefix: '15.158.0.0/16', service: 'CLOUDFRONT_ORIGIN_FACING' },
      ],
      ipv6_prefixes: [{ ipv6_prefix: '2600:9000::/28', service: 'CLOUDFRONT' }],
    };
    expect(cloudFrontRanges(doc)).toEqual(['130.176.0.0/17', '15.158.0.0/16', '2600:9000::/28']);
  });
});
