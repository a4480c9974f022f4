/** Deterministic sample traffic for the pipeline tests, written with the real encoders. */

import { encodeApiGateway, encodeCloudFrontRealtime, encodeCwlEnvelope } from '../../shared/encoders/index.js';
import type { ApiEvent } from '../../shared/events/api-event.js';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

export function cloudFrontEvent(i: number): ApiEvent {
  const user = i % 7;
  return {
    time: T0 + i * 137,
    source: 'cloudfront-realtime',
    requestId: `edge-${i}`,
    host: 'api.example.com',
    method: i % 5 === 0 ? 'POST' : 'GET',
    path: i % 5 === 0 ? '/orders' : `/users/${user}`,
    status: i % 11 === 0 ? 404 : 200,
    bytesOut: 200 + (i % 13) * 10,
    latencyMs: 20 + (i % 17),
    clientIp: `198.51.100.${i % 23}`,
    userAgent: 'curl/8.0',
    authenticated: i % 3 === 0,
  };
}

export function apiGatewayEvent(i: number): ApiEvent {
  return {
    time: T0 + i * 211,
    source: 'apigw',
    requestId: `ext-${i}`,
    host: 'internal.example.com',
    method: 'GET',
    path: `/reports/${i % 4}`,
    status: 200,
    bytesOut: 1000,
    latencyMs: 50,
    clientIp: `203.0.113.${i % 9}`,
    apiKeyId: i % 2 === 0 ? `key-${i % 3}` : undefined,
    stage: 'prod',
    apiId: 'a1b2c3',
    authenticated: i % 2 === 0,
  } as ApiEvent;
}

export function cloudFrontLines(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => encodeCloudFrontRealtime(cloudFrontEvent(from + i)));
}

export function apiGatewayLines(count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => encodeApiGateway(apiGatewayEvent(from + i)));
}

/** One CloudWatch Logs envelope (gzip) holding the API Gateway lines. */
export function envelope(lines: readonly string[]): Buffer {
  return encodeCwlEnvelope({
    logGroup: 'API-Gateway-Execution-Logs_a1b2c3/prod',
    logStream: 'stream-1',
    logEvents: lines.map((message, i) => ({ timestamp: T0 + i, message })),
  });
}
