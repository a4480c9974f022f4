import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAlb, parseAbsoluteUrl, splitAlbFields } from '../../../shared/decoders/alb.js';
import { encodeAlb } from '../../../shared/encoders/alb.js';
import { makeApiEvent } from '../../helpers/events.js';
import { albEventArb, KNOWN_REASONS } from './arbitraries.js';

/**
 * The example entries of "Access logs for your Application Load Balancer" → Examples
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-examples),
 * verbatim; the doc wraps each entry over several lines "only to make them easier to read", the
 * fixture holds each on one line. `aws-doc-example-current.log` is the HTTP example of the current
 * doc revision (quoted target lists, `conn_trace_id`).
 */
const docLines = readFileSync(new URL('../../fixtures/alb/aws-doc-examples.log', import.meta.url), 'utf8')
  .trim()
  .split('\n');
const currentLine = readFileSync(
  new URL('../../fixtures/alb/aws-doc-example-current.log', import.meta.url),
  'utf8',
).trim();

describe('decodeAlb', () => {
  it('decodes the documented HTTP entry', () => {
    // Act
    const outcome = decodeAlb(docLines[0] as string);
    // Assess
    expect(outcome).toEqual({
      ok: true,
      event: {
        time: Date.parse('2018-07-02T22:22:48.364Z'),
        source: 'alb',
        requestId: 'Root=1-58337262-36d228ad5d99923122bbe354',
        host: 'www.example.com',
        method: 'GET',
        path: '/',
        status: 200,
        bytesIn: 34,
        bytesOut: 366,
        latencyMs: 1,
        clientIp: '192.168.131.39',
        userAgent: 'curl/7.46.0',
        authenticated: false,
      },
    });
  });

  it('decodes every documented example (HTTPS, HTTP/2, WebSockets, Lambda) and the current revision', () => {
    // Act
    const outcomes = [...docLines, currentLine].map((l) => decodeAlb(l));
    // Assess
    expect(outcomes.map((o) => o.ok)).toEqual(Array(8).fill(true));
    const [, https, h2, ws, wss, , lambdaFailed, current] = outcomes.map((o) => (o.ok ? o.event : undefined));
    expect(https).toMatchObject({ host: 'www.example.com', latencyMs: 171, authenticated: true });
    expect(h2).toMatchObject({ host: '10.0.2.105:773', clientIp: '10.0.1.252' });
    expect(ws).toMatchObject({ host: '10.0.0.30', status: 101 });
    expect(ws?.userAgent).toBeUndefined();
    expect(wss).toMatchObject({ host: '10.0.0.30', status: 101 });
    expect(lambdaFailed).toMatchObject({ status: 502 });
    expect(current).toEqual(outcomes[0]?.ok && outcomes[0].event);
  });

  it('accepts unknown trailing fields', () => {
    // Act
    const outcome = decodeAlb(`${currentLine} "m.example.com" "-" "TransformSuccess" future-field`);
    // Assess
    expect(outcome.ok).toBe(true);
  });

  it('round-trips any event it can carry', () => {
    fc.assert(
      fc.property(albEventArb, (event) => {
        // Act
        const outcome = decodeAlb(encodeAlb(event));
        // Assess
        expect(outcome).toEqual({ ok: true, event });
      }),
      { numRuns: 300 },
    );
  });

  it('splits quoted fields with escaped quotes', () => {
    // Act / Assess
    expect(splitAlbFields('a "b c" "d \\"e\\"" -')).toEqual(['a', 'b c', 'd "e"', '-']);
    expect(splitAlbFields('a "unterminated')).toBeUndefined();
    expect(splitAlbFields('a "b"c')).toBeUndefined();
  });

  it('takes host and path from the absolute URL, drops default ports, keeps the query raw', () => {
    // Act / Assess
    expect(parseAbsoluteUrl('https://API.example.com:443/a%20b?x=1%202')).toEqual({
      host: 'api.example.com',
      path: '/a%20b',
      query: 'x=1%202',
    });
    expect(parseAbsoluteUrl('http://example.com:8080')).toEqual({ host: 'example.com:8080', path: '/' });
    expect(parseAbsoluteUrl('https://[2001:db8::1]:443/x')).toEqual({ host: '[2001:db8::1]', path: '/x' });
    expect(parseAbsoluteUrl('/relative')).toBeUndefined();
  });

  it('reads IPv6 clients, WAF outcomes and malformed requests', () => {
    // Prepare
    const cols = encodeAlb(makeApiEvent({ clientIp: '2001:db8::1', wafAction: 'WAF_BLOCK', status: 403 }));
    const malformed = encodeAlb(makeApiEvent()).replace(/"GET [^"]+"/, '"- http://example.com:80- "');
    // Act
    const blocked = decodeAlb(cols);
    // Assess
    expect(blocked.ok && blocked.event).toMatchObject({ clientIp: '2001:db8::1', wafAction: 'WAF_BLOCK', status: 403 });
    expect(decodeAlb(malformed)).toMatchObject({ ok: false, reason: 'not-a-request' });
  });

  it('rejects short entries, unknown types and bad times', () => {
    // Prepare
    const line = docLines[0] as string;
    // Act / Assess
    expect(decodeAlb(line.split(' ').slice(0, 12).join(' '))).toMatchObject({ ok: false, reason: 'bad-field-count' });
    expect(decodeAlb(`tcp${line.slice(4)}`)).toMatchObject({ ok: false, reason: 'bad-field-count' });
    expect(decodeAlb(line.replaceAll('2018-07-02T22:2', '2018-13-02T22:2'))).toMatchObject({
      ok: false,
      reason: 'bad-timestamp',
    });
    expect(decodeAlb(line.replace(' 200 200 ', ' 2x0 200 '))).toMatchObject({ ok: false, reason: 'bad-status' });
  });

  it('never throws on arbitrary input and only gives known reasons', () => {
    const mutated = fc
      .tuple(albEventArb, fc.nat(400), fc.string({ unit: 'binary', maxLength: 10 }))
      .map(([e, i, junk]) => {
        const line = encodeAlb(e);
        const at = i % line.length;
        return line.slice(0, at) + junk + line.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), mutated), (line) => {
        // Act
        const outcome = decodeAlb(line);
        // Assess
        if (!outcome.ok) expect(KNOWN_REASONS).toContain(outcome.reason);
      }),
      { numRuns: 1000 },
    );
  });
});
