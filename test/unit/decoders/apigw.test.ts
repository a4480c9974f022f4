import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeApiGateway,
  parseApiGatewayRequestTime,
  RECOMMENDED_APIGW_ACCESS_LOG_FORMAT,
  RECOMMENDED_HTTP_API_ACCESS_LOG_FORMAT,
  routeTemplateFromRouteKey,
} from '../../../shared/decoders/apigw.js';
import { encodeApiGateway } from '../../../shared/encoders/apigw.js';
import { makeApiEvent } from '../../helpers/events.js';
import { apiGatewayEventArb, KNOWN_REASONS } from './arbitraries.js';

describe('decodeApiGateway', () => {
  it("decodes CDK's jsonWithStandardFields() keys", () => {
    // Prepare: the key set of AWS's JSON example = CDK AccessLogFormat.jsonWithStandardFields()
    // (API Gateway Developer Guide, "Set up CloudWatch logging for REST APIs"), values as API Gateway writes them
    const line = JSON.stringify({
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      ip: '198.51.100.7',
      caller: '-',
      user: '-',
      requestTime: '14/May/2024:09:30:01 +0000',
      httpMethod: 'GET',
      resourcePath: '/pets/{petId}',
      status: '200',
      protocol: 'HTTP/1.1',
      responseLength: '218',
    });
    // Act
    const outcome = decodeApiGateway(line);
    // Assess
    expect(outcome).toEqual({
      ok: true,
      event: {
        time: Date.UTC(2024, 4, 14, 9, 30, 1),
        source: 'apigw',
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
        host: '',
        method: 'GET',
        path: '/pets/{petId}',
        routeTemplate: '/pets/{petId}',
        status: 200,
        bytesOut: 218,
        clientIp: '198.51.100.7',
        authenticated: false,
      },
    });
  });

  it('decodes the recommended extended format: extendedRequestId, stage stripped, key id, principal, WAF', () => {
    // Prepare
    const line = JSON.stringify({
      requestId: 'client-chosen',
      extendedRequestId: 'XyZ1AbCDoAMFfjw=',
      requestTimeEpoch: '1715679001234',
      httpMethod: 'delete',
      domainName: 'A1B2C3.execute-api.eu-west-1.amazonaws.com',
      apiId: 'a1b2c3',
      stage: 'prod',
      path: '/prod/pets/1%20a',
      resourcePath: '/pets/{id}',
      status: '403',
      responseLength: '-',
      responseLatency: '12',
      sourceIp: '2001:db8::1',
      userAgent: 'python-requests/2.31.0',
      apiKeyId: 'k3y1d',
      principalId: 'user|42',
      wafResponseCode: 'WAF_BLOCK',
    });
    // Act
    const outcome = decodeApiGateway(line);
    // Assess
    expect(outcome).toEqual({
      ok: true,
      event: {
        time: 1715679001234,
        source: 'apigw',
        requestId: 'XyZ1AbCDoAMFfjw=',
        host: 'a1b2c3.execute-api.eu-west-1.amazonaws.com',
        method: 'DELETE',
        path: '/pets/1 a',
        routeTemplate: '/pets/{id}',
        status: 403,
        latencyMs: 12,
        clientIp: '2001:db8::1',
        userAgent: 'python-requests/2.31.0',
        apiKeyId: 'k3y1d',
        principal: 'user|42',
        apiId: 'a1b2c3',
        stage: 'prod',
        wafAction: 'WAF_BLOCK',
        authenticated: true,
      },
    });
  });

  it('reads HTTP API routeKey, nested $context names and claims', () => {
    // Prepare
    const withRoute = (routeKey: string) =>
      decodeApiGateway(
        JSON.stringify({
          requestTimeEpoch: 1715679001000,
          routeKey,
          httpMethod: 'GET',
          path: '/pets/7',
          status: 200,
          authorizer: { claims: { sub: 'abc-123' } },
          waf: { status: '200' },
        }),
      );
    // Act
    const templated = withRoute('GET /pets/{id}');
    const fallback = withRoute('$default');
    // Assess
    expect(templated.ok && templated.event).toMatchObject({
      routeTemplate: '/pets/{id}',
      path: '/pets/7',
      principal: 'abc-123',
      wafAction: '200',
      authenticated: true,
    });
    expect(fallback.ok && fallback.event.routeTemplate).toBeUndefined();
    expect(routeTemplateFromRouteKey('ANY /{proxy+}')).toBe('/{proxy+}');
  });

  it('marks sourceIp as a proxy behind CloudFront (context, via, or user agent)', () => {
    // Prepare
    const base = {
      requestTimeEpoch: '1715679001000',
      httpMethod: 'GET',
      path: '/x',
      status: '200',
      sourceIp: '130.176.1.1',
    };
    // Act
    const plain = decodeApiGateway(JSON.stringify(base));
    const byContext = decodeApiGateway(JSON.stringify(base), { behindCloudFront: true });
    const byVia = decodeApiGateway(JSON.stringify({ ...base, via: '2.0 abc.cloudfront.net (CloudFront)' }));
    const byAgent = decodeApiGateway(JSON.stringify({ ...base, userAgent: 'Amazon CloudFront' }));
    // Assess
    expect(plain.ok && plain.event.clientIpIsProxy).toBeUndefined();
    for (const o of [byContext, byVia, byAgent]) expect(o.ok && o.event.clientIpIsProxy).toBe(true);
  });

  it('treats "-" and "" as absent; optional numbers that do not parse are dropped', () => {
    // Prepare
    const line = JSON.stringify({
      requestTimeEpoch: '1715679001000',
      httpMethod: 'GET',
      path: '/x',
      status: '200',
      responseLength: 'abc',
      responseLatency: '',
      userAgent: '-',
      apiKeyId: '-',
    });
    // Act
    const outcome = decodeApiGateway(line);
    // Assess
    expect(outcome.ok && outcome.event).toEqual({
      time: 1715679001000,
      source: 'apigw',
      requestId: '',
      host: '',
      method: 'GET',
      path: '/x',
      status: 200,
      authenticated: false,
    });
  });

  it('rejects not-json, not-an-object, missing method/status/time, bad status', () => {
    // Prepare
    const ok = { requestTimeEpoch: '1715679001000', httpMethod: 'GET', path: '/x', status: '200' };
    const without = (k: string) => JSON.stringify(Object.fromEntries(Object.entries(ok).filter(([key]) => key !== k)));
    // Act / Assess
    expect(decodeApiGateway('{"httpMethod":')).toMatchObject({ ok: false, reason: 'not-json' });
    expect(decodeApiGateway('[1,2]')).toMatchObject({ ok: false, reason: 'not-an-object' });
    expect(decodeApiGateway('"GET"')).toMatchObject({ ok: false, reason: 'not-an-object' });
    expect(decodeApiGateway(without('httpMethod'))).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(decodeApiGateway(without('status'))).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(decodeApiGateway(without('requestTimeEpoch'))).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(decodeApiGateway(without('requestTimeEpoch'), { fallbackTimeMs: 1715679009999 })).toMatchObject({
      ok: true,
      event: { time: 1715679009999 },
    });
    expect(decodeApiGateway(JSON.stringify({ ...ok, status: 'OK' }))).toMatchObject({
      ok: false,
      reason: 'bad-number',
    });
    expect(decodeApiGateway(JSON.stringify({ ...ok, requestTimeEpoch: 'yesterday' }))).toMatchObject({
      ok: false,
      reason: 'bad-timestamp',
    });
    expect(decodeApiGateway(JSON.stringify({ ...ok, httpMethod: 'GE T' }))).toMatchObject({
      ok: false,
      reason: 'bad-method',
    });
  });

  it('parses $context.requestTime with offsets and rejects impossible dates', () => {
    // Act / Assess
    expect(parseApiGatewayRequestTime('02/Jul/2018:22:23:00 +0000')).toBe(Date.UTC(2018, 6, 2, 22, 23, 0));
    expect(parseApiGatewayRequestTime('02/Jul/2018:22:23:00 +0200')).toBe(Date.UTC(2018, 6, 2, 20, 23, 0));
    expect(parseApiGatewayRequestTime('31/Feb/2018:22:23:00 +0000')).toBeUndefined();
    expect(parseApiGatewayRequestTime('02/Foo/2018:22:23:00 +0000')).toBeUndefined();
  });

  it('round-trips the extended and HTTP API layouts', () => {
    fc.assert(
      fc.property(apiGatewayEventArb, (event) => {
        // Act
        const extended = decodeApiGateway(encodeApiGateway(event, { layout: 'extended' }));
        // Assess
        expect(extended).toEqual({ ok: true, event });
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(apiGatewayEventArb, (event) => {
        // Prepare: HTTP APIs carry no API keys and no WAF
        const { apiKeyId: _k, wafAction: _w, ...rest } = event;
        const expected = { ...rest, authenticated: rest.principal !== undefined };
        // Act
        const http = decodeApiGateway(encodeApiGateway(expected, { layout: 'http' }));
        // Assess
        expect(http).toEqual({ ok: true, event: expected });
      }),
      { numRuns: 200 },
    );
  });

  it('strips the stage prefix on execute-api domains only', () => {
    // Prepare
    const event = makeApiEvent({
      source: 'apigw',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      stage: 'prod',
      path: '/pets/1',
    });
    const line = encodeApiGateway(event);
    // Act
    const outcome = decodeApiGateway(line);
    // Assess
    expect(JSON.parse(line).path).toBe('/prod/pets/1');
    expect(outcome.ok && outcome.event.path).toBe('/pets/1');
  });

  it('never throws on arbitrary input and only gives known reasons', () => {
    const jsonish = fc
      .dictionary(
        fc.constantFrom(
          'httpMethod',
          'status',
          'requestTimeEpoch',
          'requestTime',
          'path',
          'stage',
          'routeKey',
          'domainName',
          'waf',
          'sourceIp',
        ),
        fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.double(), fc.constant(null), fc.object()),
      )
      .map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), jsonish), (line) => {
        // Act
        const outcome = decodeApiGateway(line);
        // Assess
        if (!outcome.ok) expect(KNOWN_REASONS).toContain(outcome.reason);
      }),
      { numRuns: 1000 },
    );
  });

  it('exports recommended formats that name only $context variables and never the API key itself', () => {
    // Assess
    for (const format of [RECOMMENDED_APIGW_ACCESS_LOG_FORMAT, RECOMMENDED_HTTP_API_ACCESS_LOG_FORMAT]) {
      for (const v of Object.values(format)) expect(v).toMatch(/^\$context\.[A-Za-z.]+$/);
      expect(Object.values(format)).not.toContain('$context.identity.apiKey');
      expect(format.extendedRequestId).toBe('$context.extendedRequestId');
    }
  });
});
