/**
 * ApiEvent factory for tests: a valid, realistic request with every field a test does not care
 * about filled in. Override what the test is about: `makeApiEvent({ status: 503 })`.
 */
import type { ApiEvent, LogSource } from '../../shared/events/api-event.js';

let sequence = 0;

/** A fresh event. Deterministic: request ids come from a counter (reset with `resetApiEventSequence`). */
export function makeApiEvent(overrides: Partial<ApiEvent> = {}): ApiEvent {
  sequence += 1;
  return {
    time: Date.UTC(2024, 4, 14, 9, 30, 0, 125) + sequence * 1000,
    source: 'cloudfront-realtime',
    requestId: `req-${String(sequence).padStart(6, '0')}`,
    host: 'api.example.com',
    method: 'GET',
    path: `/v1/pets/${sequence}`,
    status: 200,
    bytesIn: 412,
    bytesOut: 1834,
    latencyMs: 42,
    clientIp: '198.51.100.23',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) lantern-test/1.0',
    authenticated: false,
    ...overrides,
  };
}

/** The same, for a given log source. */
export function makeApiEventFrom(source: LogSource, overrides: Partial<ApiEvent> = {}): ApiEvent {
  return makeApiEvent({ source, ...overrides });
}

export function resetApiEventSequence(): void {
  sequence = 0;
}
