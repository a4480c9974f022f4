/** A small store for API tests: the real engine over a few callers, a shadow endpoint and a scanner. */
import { parseDeclaredSpec } from '../../../shared/discovery/declared.js';
import { analyzeBatch } from '../../../shared/engine/analyze.js';
import { saveDeclared } from '../../../shared/engine/discovery-state.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import type { Store } from '../../../shared/ports/store.js';
import { makeApiEvent } from '../../helpers/events.js';

export const T0 = Date.UTC(2026, 5, 1, 9, 0);
export const EVIL_UA = '<img src=x onerror=alert(1)>';

export type TestClock = ReturnType<typeof fixedClock>;

/** The clock the store and the engine share (stored expiries are judged against it, not the wall clock). */
export function testClock(): TestClock {
  return fixedClock(T0);
}

export async function fillStore(store: Store, clock: TestClock): Promise<TestClock> {
  await saveDeclared(
    store,
    parseDeclaredSpec(
      JSON.stringify({
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        servers: [{ url: 'https://api.example.com' }],
        paths: {
          '/v1/pets': { get: { responses: { 200: { description: 'ok' } } } },
          '/v1/me': { get: { responses: { 200: { description: 'ok' } } } },
        },
      }),
    ).operations,
  );
  const events: ApiEvent[] = [];
  for (let i = 0; i < 60; i++) {
    events.push(
      makeApiEvent({
        time: T0 + i * 1000,
        path: i % 2 ? '/v1/pets' : '/v1/me',
        principal: `user-${i % 6}`,
        authenticated: true,
      }),
    );
  }
  for (let i = 0; i < 5; i++)
    events.push(
      makeApiEvent({ time: T0 + 61_000 + i, path: '/internal/debug', clientIp: '45.133.1.99', userAgent: EVIL_UA }),
    );
  for (let i = 0; i < 30; i++)
    events.push(makeApiEvent({ time: T0 + 62_000 + i * 500, path: `/.env${i}`, status: 404, clientIp: '45.133.1.66' }));
  clock.set(T0 + 80_000);
  await analyzeBatch({ events, rejections: [] }, { store, clock });
  return clock;
}
