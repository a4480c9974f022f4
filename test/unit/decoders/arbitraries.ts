/** fast-check arbitraries for ApiEvents as each log format can carry them, and the reasons a decoder may give. */
import fc from 'fast-check';
import type { ApiEvent, RejectionReason } from '../../../shared/events/api-event.js';

export const KNOWN_REASONS = [
  'bad-field-count',
  'bad-timestamp',
  'bad-status',
  'bad-method',
  'bad-number',
  'missing-field',
  'empty-record',
  'field-too-large',
  'line-too-large',
  'not-json',
  'not-an-object',
  'bad-envelope',
  'truncated-gzip',
  'bad-gzip',
  'bad-base64',
  'unknown-format',
  'bad-header',
  'not-a-request',
] as const satisfies readonly RejectionReason[];

export const timeArb = fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 });
export const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');
/** Any text, any Unicode (no lone surrogates), not empty. */
export const textArb = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 });
/** A decoded path: `/` + segments of any Unicode, including `%`, `?`, spaces, tabs. */
export const pathArb = fc
  .array(fc.string({ unit: 'binary', maxLength: 10 }), { maxLength: 5 })
  .map((segments) => `/${segments.join('/')}`);
/** A query as logged (already encoded by the client). */
export const queryArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.~%=&+-]{0,40}$/);
export const hostArb = fc.domain().map((d) => d.toLowerCase());
export const requestIdArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_=-]{0,55}$/);
export const ipArb = fc.oneof(fc.ipV4(), fc.ipV6());
export const countryArb = fc.constantFrom('US', 'FR', 'DE', 'BR', 'JP', 'IN', 'NG');
export const asnArb = fc.integer({ min: 1, max: 400_000 }).map(String);
export const edgeArb = fc.constantFrom('IAD89-C1', 'CDG50-P2', 'SEA19-C2', 'LAX1');
export const latencyArb = fc.integer({ min: 0, max: 600_000 });
export const bytesArb = fc.integer({ min: 0, max: 2_000_000_000 });

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops undefined properties so `toEqual` compares what is there. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const cloudFrontRealtimeEventArb: fc.Arbitrary<ApiEvent> = fc
  .record({
    time: timeArb,
    requestId: requestIdArb,
    host: hostArb,
    method: methodArb,
    path: pathArb,
    query: opt(queryArb),
    status: fc.oneof(fc.constant(0), fc.integer({ min: 100, max: 599 })),
    bytesIn: opt(bytesArb),
    bytesOut: opt(bytesArb),
    latencyMs: opt(latencyArb),
    clientIp: opt(ipArb),
    forwardedFor: opt(textArb),
    userAgent: opt(textArb),
    country: opt(countryArb),
    asn: opt(asnArb),
    edgeLocation: opt(edgeArb),
    authenticated: fc.boolean(),
  })
  .map((e) => compact({ ...e, source: 'cloudfront-realtime' as const }));

export const cloudFrontStandardEventArb: fc.Arbitrary<ApiEvent> = cloudFrontRealtimeEventArb.map((e) =>
  compact({ ...e, source: 'cloudfront-standard' as const, country: undefined, asn: undefined }),
);

export const apiGatewayEventArb: fc.Arbitrary<ApiEvent> = fc
  .record({
    time: timeArb,
    requestId: requestIdArb,
    host: hostArb,
    method: methodArb,
    path: pathArb,
    status: fc.integer({ min: 100, max: 599 }),
    bytesOut: opt(bytesArb),
    latencyMs: opt(latencyArb),
    clientIp: opt(ipArb),
    userAgent: opt(textArb.filter((s) => s !== '-')),
    apiKeyId: opt(fc.stringMatching(/^[a-z0-9]{10}$/)),
    principal: opt(textArb.filter((s) => s !== '-')),
    routeTemplate: opt(fc.constantFrom('/pets', '/pets/{id}', '/{proxy+}', '/users/{userId}/orders')),
    apiId: opt(fc.stringMatching(/^[a-z0-9]{10}$/)),
    stage: opt(fc.stringMatching(/^[a-z][a-z0-9_]{0,9}$/)),
    wafAction: opt(fc.constantFrom('WAF_ALLOW', 'WAF_BLOCK')),
  })
  .map((e) =>
    compact({
      ...e,
      source: 'apigw' as const,
      authenticated: e.apiKeyId !== undefined || e.principal !== undefined,
    }),
  );

export const albEventArb: fc.Arbitrary<ApiEvent> = fc
  .record({
    time: timeArb,
    requestId: fc.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    host: fc.oneof(
      hostArb,
      fc.tuple(hostArb, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => (p === 443 ? h : `${h}:${p}`)),
    ),
    method: methodArb,
    path: pathArb,
    query: opt(queryArb),
    status: fc.oneof(fc.constant(0), fc.integer({ min: 100, max: 599 })),
    bytesIn: bytesArb,
    bytesOut: bytesArb,
    latencyMs: opt(latencyArb),
    clientIp: opt(ipArb),
    userAgent: opt(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((s) => s !== '-' && !/\p{Cc}/u.test(s)),
    ),
    wafAction: opt(fc.constantFrom('WAF_ALLOW', 'WAF_BLOCK', 'WAF_FAILED')),
    authenticated: fc.boolean(),
  })
  .map((e) =>
    compact({ ...e, source: 'alb' as const, authenticated: e.wafAction === 'WAF_BLOCK' ? false : e.authenticated }),
  );
