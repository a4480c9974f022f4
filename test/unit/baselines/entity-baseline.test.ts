import { describe, expect, it } from 'vitest';
import {
  endpointWindow,
  MAX_ENDPOINTS,
  newEntityBaseline,
  observeEntityRequest,
} from '../../../shared/baselines/entity-baseline.js';
import { WINDOW_MS } from '../../../shared/baselines/windows.js';
import { facts, T0 } from '../detection/harness.js';

describe('entity baseline', () => {
  it('counts per 10-minute window and slides the previous window out', () => {
    // Prepare: 100 requests in one window, 20 in the next
    const baseline = newEntityBaseline(T0);
    for (let i = 0; i < 100; i++) observeEntityRequest(baseline, facts({ time: T0 + i * 1000 }));
    for (let i = 0; i < 20; i++) observeEntityRequest(baseline, facts({ time: T0 + WINDOW_MS + i * 1000 }));
    const state = Object.values(baseline.endpoints)[0];
    if (!state) throw new Error('no state');
    // Assess: at the start of the second window the first still counts whole; halfway, half of it
    expect(endpointWindow(state, T0 + WINDOW_MS).requests).toBe(120);
    expect(endpointWindow(state, T0 + 1.5 * WINDOW_MS).requests).toBe(70);
    expect(endpointWindow(state, T0 + 2 * WINDOW_MS).requests).toBe(20);
  });

  it('learns its own peak one window late', () => {
    const baseline = newEntityBaseline(T0);
    for (let w = 0; w < 3; w++) {
      for (let i = 0; i < 10 * (w + 1); i++)
        observeEntityRequest(baseline, facts({ time: T0 + w * WINDOW_MS + i * 1000 }));
    }
    const state = Object.values(baseline.endpoints)[0];
    // Windows of 10, 20 and (current) 30: only the first has left `previous`.
    expect(state?.own).toMatchObject({ requests: 10, windows: 1 });
  });

  it('remembers a bounded number of endpoints', () => {
    const baseline = newEntityBaseline(T0);
    for (let i = 0; i < MAX_ENDPOINTS + 10; i++)
      observeEntityRequest(baseline, facts({ time: T0 + i, endpointKey: `h GET /e${i}` }));
    expect(Object.keys(baseline.endpoints)).toHaveLength(MAX_ENDPOINTS);
    expect(baseline.endpoints['h GET /e0']).toBeUndefined();
  });

  it('counts distinct object ids, logins and unanswered paths', () => {
    const baseline = newEntityBaseline(T0);
    observeEntityRequest(baseline, facts({ objectId: '1' }));
    observeEntityRequest(baseline, facts({ objectId: '1' }));
    const state = observeEntityRequest(baseline, facts({ objectId: '2' }));
    observeEntityRequest(baseline, facts({ endpointKey: 'h POST /login', authEndpoint: true, status: 401 }));
    observeEntityRequest(baseline, facts({ rawPath: '/.env', status: 404, trackEndpoint: false }));
    expect(state?.current.objects).toBe(2);
    expect(baseline.logins).toEqual({ ok: 0, failed: 1 });
    expect(baseline.current.notFound).toBe(1);
    expect(Object.keys(baseline.endpoints)).toHaveLength(2);
  });
});
