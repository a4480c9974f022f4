import { describe, expect, it } from 'vitest';
import { newEntityBaseline } from '../../../shared/baselines/entity-baseline.js';
import {
  detectBola,
  detectClassifiedEndpoint,
  detectCredentialStuffing,
  detectExfiltration,
  detectScanning,
  detectScraping,
  detectTokenSharing,
  detectUnauthenticated,
  detectVolumetric,
} from '../../../shared/detection/detectors.js';
import { config, endpointView, endpointWithPeers, entityView, facts, feed, HOST, pair, spread, T0 } from './harness.js';

const MINUTE = 60_000;
const user = { type: 'principal' as const, id: 'u-1' };
const ip = { type: 'ip' as const, id: '203.0.113.9' };
const thirty = (v: number) => Array.from({ length: 30 }, () => v);
// Attacks start 5 minutes into a window so that one fixed window holds them.
const at = T0 + 5 * MINUTE;

describe('volumetric-abuse', () => {
  const endpoint = endpointView(endpointWithPeers('/search', { requests: thirty(20) }, { parameterised: false }));
  const key = `${HOST} GET /search`;
  const burst = (n: number) => feed(spread(n, at, 2 * MINUTE, () => ({ endpointKey: key, rawPath: '/search' }))).state;

  it('stays quiet below the floor (300 per 10 minutes, above 5× the peers)', () => {
    // Prepare
    const state = burst(299);
    // Act
    const finding = detectVolumetric(pair(user, state, endpoint, at + 2 * MINUTE), config());
    // Assess
    expect(finding).toBeUndefined();
  });

  it('reports a caller over the floor and the peers, with the observed figure next to the threshold', () => {
    const state = burst(320);
    const finding = detectVolumetric(pair(user, state, endpoint, at + 2 * MINUTE), config());
    expect(finding?.type).toBe('volumetric-abuse');
    expect(finding?.evidence.requestsPer10Min).toMatchObject({ observed: 320, threshold: 300 });
    expect(finding?.confidence).toBeGreaterThan(0.5);
  });

  it('uses the peers when they run hotter than the floor', () => {
    const busy = endpointView(endpointWithPeers('/search', { requests: thirty(100) }, { parameterised: false }));
    expect(detectVolumetric(pair(user, burst(450), busy, at + 2 * MINUTE), config())).toBeUndefined();
    expect(detectVolumetric(pair(user, burst(520), busy, at + 2 * MINUTE), config())?.type).toBe('volumetric-abuse');
  });

  it('does not judge a verified crawler', () => {
    expect(detectVolumetric(pair(ip, burst(600), endpoint, at + 2 * MINUTE, true), config())).toBeUndefined();
  });

  it('holds a caller with history to three times its own earlier peak', () => {
    // Prepare: 250 requests per window for 40 minutes, then 600 in the next window.
    const history = spread(1000, T0, 40 * MINUTE, () => ({ endpointKey: key, rawPath: '/search' }));
    const { baseline } = feed(history);
    const now = T0 + 45 * MINUTE;
    const { state } = feed(
      spread(600, T0 + 40 * MINUTE, 5 * MINUTE, () => ({ endpointKey: key, rawPath: '/search' })),
      baseline,
    );
    // Act
    const finding = detectVolumetric(pair(user, state, endpoint, now), config());
    // Assess: over the floor and the peers, but not 3× its own 250
    expect(state.own.requests).toBe(250);
    expect(finding).toBeUndefined();
  });
});

describe('bola-enumeration', () => {
  const owned = endpointView(endpointWithPeers('/orders/{id}', { objects: thirty(2) }));
  const walk = (n: number, status = 403) =>
    feed(spread(n, at, 3 * MINUTE, (i) => ({ rawPath: `/orders/${1000 + i}`, objectId: String(1000 + i), status })))
      .state;

  it('stays quiet under 25 distinct objects', () => {
    expect(detectBola(pair(user, walk(24), owned, at + 3 * MINUTE), config())).toBeUndefined();
  });

  it("reports an account walking other users' ids on an own-objects endpoint", () => {
    const finding = detectBola(pair(user, walk(40), owned, at + 3 * MINUTE), config());
    expect(finding?.type).toBe('bola-enumeration');
    expect(finding?.endpoint?.path).toBe('/orders/{id}');
    expect(finding?.evidence.distinctObjectsPer10Min).toMatchObject({ observed: 40, threshold: 25 });
  });

  it('grades severity by how many reads succeeded', () => {
    expect(detectBola(pair(user, walk(40, 403), owned, at + 3 * MINUTE), config())?.severity).toBe('medium');
    expect(detectBola(pair(user, walk(40, 200), owned, at + 3 * MINUTE), config())?.severity).toBe('high');
  });

  it('names an address only when its requests carried a credential (no authorisation to bypass otherwise)', () => {
    const anonymous = feed(
      spread(60, at, 3 * MINUTE, (i) => ({
        rawPath: `/orders/${i}`,
        objectId: String(i),
        status: 403,
        authenticated: false,
      })),
    ).state;
    expect(detectBola(pair(ip, anonymous, owned, at + 3 * MINUTE), config())).toBeUndefined();
    expect(detectBola(pair(ip, walk(60), owned, at + 3 * MINUTE), config())?.type).toBe('bola-enumeration');
  });

  it('on a shared-objects endpoint needs refusals, not just breadth', () => {
    const shared = endpointView(endpointWithPeers('/products/{id}', { objects: thirty(30) }));
    expect(detectBola(pair(user, walk(200, 200), shared, at + 3 * MINUTE), config())).toBeUndefined();
    expect(detectBola(pair(user, walk(200, 404), shared, at + 3 * MINUTE), config())?.type).toBe('bola-enumeration');
  });
});

describe('scraping', () => {
  const catalogue = endpointView(endpointWithPeers('/products/{id}', { objects: thirty(20) }));
  const read = (n: number, status = 200) =>
    feed(
      spread(n, at, 4 * MINUTE, (i) => ({
        rawPath: `/products/${i}`,
        objectId: String(i),
        status,
        authenticated: false,
      })),
    ).state;

  it('stays quiet under 150 distinct objects per 10 minutes', () => {
    expect(detectScraping(pair(ip, read(140), catalogue, at + 4 * MINUTE), config())).toBeUndefined();
  });

  it('reports a caller reading far more of the catalogue than its peers', () => {
    const finding = detectScraping(pair(ip, read(400), catalogue, at + 4 * MINUTE), config());
    expect(finding?.type).toBe('scraping');
    expect(finding?.evidence.distinctObjectsPer10Min).toMatchObject({ observed: expect.any(Number), threshold: 150 });
  });

  it('needs successful reads', () => {
    expect(detectScraping(pair(ip, read(400, 403), catalogue, at + 4 * MINUTE), config())).toBeUndefined();
  });

  it('spares verified crawlers and ignores writes', () => {
    expect(detectScraping(pair(ip, read(400), catalogue, at + 4 * MINUTE, true), config())).toBeUndefined();
    const writes = endpointView(endpointWithPeers('/products/{id}', { objects: thirty(20) }, { method: 'PUT' }));
    expect(detectScraping(pair(ip, read(400), writes, at + 4 * MINUTE), config())).toBeUndefined();
  });
});

describe('data-exfiltration', () => {
  const exports = endpointView(endpointWithPeers('/export', { bytes: thirty(100_000) }, { parameterised: false }));
  const pull = (megabytes: number) =>
    feed(spread(10, at, 2 * MINUTE, () => ({ rawPath: '/export', bytesOut: (megabytes * 1e6) / 10 }))).state;

  it('stays quiet under 10 MB per 10 minutes', () => {
    expect(detectExfiltration(pair(user, pull(9), exports, at + 2 * MINUTE), config())).toBeUndefined();
  });

  it('reports a caller taking far more bytes than its peers', () => {
    const finding = detectExfiltration(pair(user, pull(12), exports, at + 2 * MINUTE), config());
    expect(finding?.type).toBe('data-exfiltration');
    expect(finding?.severity).toBe('high');
  });
});

describe('unauthenticated-access', () => {
  const view = (authenticated: number, unauthenticated: number) => {
    const baseline = endpointWithPeers('/users/{id}/addresses', {});
    baseline.okIdentities = { authenticated, unauthenticated };
    return endpointView(baseline);
  };
  const reads = (n: number) =>
    feed(
      spread(n, at, MINUTE, (i) => ({ rawPath: `/users/${i}/addresses`, objectId: String(i), authenticated: false })),
    ).state;

  it('needs three unauthenticated successes', () => {
    expect(detectUnauthenticated(pair(ip, reads(2), view(40, 1), at + MINUTE), config())).toBeUndefined();
    expect(detectUnauthenticated(pair(ip, reads(3), view(40, 1), at + MINUTE), config())?.type).toBe(
      'unauthenticated-access',
    );
  });

  it('only where the other callers authenticate (95 %)', () => {
    expect(detectUnauthenticated(pair(ip, reads(5), view(40, 4), at + MINUTE), config())).toBeUndefined();
  });

  it('only with enough authenticated callers to know', () => {
    expect(detectUnauthenticated(pair(ip, reads(5), view(19, 1), at + MINUTE), config())).toBeUndefined();
  });
});

describe('shadow-api-traffic and zombie-api-traffic', () => {
  const state = (status: number) => feed([facts({ rawPath: '/internal/users/1', objectId: '1', status })]).state;

  it('report callers answered by a classified endpoint', () => {
    const shadow = endpointView(endpointWithPeers('/internal/users/{id}', {}), 'shadow');
    const zombie = endpointView(endpointWithPeers('/v1/users/{id}', {}), 'zombie');
    expect(detectClassifiedEndpoint(pair(user, state(200), shadow, at))?.type).toBe('shadow-api-traffic');
    expect(detectClassifiedEndpoint(pair(user, state(200), zombie, at))?.type).toBe('zombie-api-traffic');
  });

  it('ignore unclassified endpoints and calls nothing answered', () => {
    const shadow = endpointView(endpointWithPeers('/internal/users/{id}', {}), 'shadow');
    expect(
      detectClassifiedEndpoint(pair(user, state(200), endpointView(endpointWithPeers('/users/{id}', {})), at)),
    ).toBeUndefined();
    expect(detectClassifiedEndpoint(pair(user, state(404), shadow, at))).toBeUndefined();
  });
});

describe('credential-stuffing (one caller)', () => {
  const login = endpointView(
    endpointWithPeers('/login', {}, { parameterised: false, authEndpoint: true, method: 'POST' }),
  );
  const tries = (failures: number, successes = 0) =>
    feed(
      spread(failures + successes, at, 2 * MINUTE, (i) => ({
        rawPath: '/login',
        status: i < failures ? 401 : 200,
        authEndpoint: true,
        authenticated: false,
      })),
    ).state;

  it('stays quiet under 10 failures', () => {
    expect(detectCredentialStuffing(pair(ip, tries(9), login, at + 2 * MINUTE), config())).toBeUndefined();
  });

  it('reports 10 failures that are most of the attempts', () => {
    expect(detectCredentialStuffing(pair(ip, tries(10), login, at + 2 * MINUTE), config())?.type).toBe(
      'credential-stuffing',
    );
  });

  it('not when most attempts succeed', () => {
    expect(detectCredentialStuffing(pair(ip, tries(10, 5), login, at + 2 * MINUTE), config())).toBeUndefined();
  });

  it('only on login endpoints', () => {
    const other = endpointView(endpointWithPeers('/orders', {}, { parameterised: false }));
    expect(detectCredentialStuffing(pair(ip, tries(20), other, at + 2 * MINUTE), config())).toBeUndefined();
  });
});

describe('scanning', () => {
  const probe = (paths: number, ok = 0) => {
    const baseline = newEntityBaseline(at);
    feed(
      [
        ...spread(paths, at, MINUTE, (i) => ({ rawPath: `/probe-${i}`, status: 404, trackEndpoint: false })),
        ...spread(ok, at, MINUTE, () => ({ rawPath: '/ok', status: 200 })),
        facts({ time: at, rawPath: '/ok' }),
      ],
      baseline,
    );
    return baseline;
  };

  it('stays quiet under 20 unanswered paths', () => {
    expect(detectScanning(entityView(ip, probe(19), at + MINUTE), config())).toBeUndefined();
  });

  it('reports an address probing paths that do not exist', () => {
    const finding = detectScanning(entityView(ip, probe(25), at + MINUTE), config());
    expect(finding?.type).toBe('scanning');
    expect(finding?.endpoint).toBeUndefined();
    expect(finding?.severity).toBe('medium');
    expect(detectScanning(entityView(ip, probe(120), at + MINUTE), config())?.severity).toBe('high');
  });

  it('not when the 404s are a small share of its traffic', () => {
    expect(detectScanning(entityView(ip, probe(25, 100), at + MINUTE), config())).toBeUndefined();
  });
});

describe('token-sharing', () => {
  const from = (places: Array<{ country?: string; asn?: string; ip: string }>) => {
    const baseline = newEntityBaseline(at);
    feed(
      places.map((p, i) => facts({ time: at + i * 1000, ...p })),
      baseline,
    );
    return baseline;
  };

  it('stays quiet for two countries', () => {
    const b = from([
      { country: 'US', asn: '1', ip: '1.0.0.1' },
      { country: 'US', asn: '1', ip: '1.0.0.1' },
      { country: 'CA', asn: '2', ip: '2.0.0.1' },
    ]);
    expect(detectTokenSharing(entityView(user, b, at + MINUTE), config())).toBeUndefined();
  });

  it('reports three countries within the hour', () => {
    const b = from([
      { country: 'US', asn: '1', ip: '1.0.0.1' },
      { country: 'BR', asn: '2', ip: '2.0.0.1' },
      { country: 'VN', asn: '3', ip: '3.0.0.1' },
    ]);
    expect(detectTokenSharing(entityView(user, b, at + MINUTE), config())?.type).toBe('token-sharing');
  });

  it('reports back-and-forth between two countries (impossible travel) as high', () => {
    const b = from(['US', 'GB', 'US', 'GB', 'US'].map((country, i) => ({ country, asn: country, ip: `9.0.0.${i}` })));
    const finding = detectTokenSharing(entityView(user, b, at + MINUTE), config());
    expect(finding?.severity).toBe('high');
  });

  it('without geography, counts addresses: 12 is fine, 13 is not', () => {
    const ips = (n: number) => from(Array.from({ length: n }, (_, i) => ({ ip: `10.0.${i}.1` })));
    expect(detectTokenSharing(entityView(user, ips(12), at + MINUTE), config())).toBeUndefined();
    expect(detectTokenSharing(entityView(user, ips(13), at + MINUTE), config())?.type).toBe('token-sharing');
  });

  it('never names an address', () => {
    const b = from([
      { country: 'US', ip: '1.0.0.1' },
      { country: 'BR', ip: '1.0.0.1' },
      { country: 'VN', ip: '1.0.0.1' },
    ]);
    expect(detectTokenSharing(entityView(ip, b, at + MINUTE), config())).toBeUndefined();
  });

  it('forgets places after an hour', () => {
    const b = from([
      { country: 'US', ip: '1.0.0.1' },
      { country: 'BR', ip: '2.0.0.1' },
    ]);
    feed([facts({ time: at + 61 * MINUTE, country: 'VN', ip: '3.0.0.1' })], b);
    expect(Object.keys(b.countries)).toEqual(['VN']);
  });
});
