import { describe, expect, it } from 'vitest';
import { type MergeEvent, PathTemplater } from '../../../shared/discovery/templater.js';

const HOST = 'api.example.com';

/** Feeds successful GETs; returns every merge event. */
function feed(t: PathTemplater, paths: string[], method = 'GET', status = 200): MergeEvent[] {
  return paths.flatMap((p) => t.observe(HOST, method, p, status).merges);
}

const NAMES = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'xena',
];

describe('PathTemplater: typed segments', () => {
  it('templates typed ids on sight and names them after the collection', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    const r = t.observe(HOST, 'GET', '/users/8812/orders/5f2c1a9e-3b4d-4c2a-9e1f-0a1b2c3d4e5f', 200);
    // Assess
    expect(r.template).toBe('/users/{userId}/orders/{orderId}');
    expect(r.class).toBe('api');
    expect(r.params).toEqual([
      { index: 1, name: 'userId', kind: 'int' },
      { index: 3, name: 'orderId', kind: 'uuid' },
    ]);
  });

  it('keeps a static segment beside a typed parameter at the same position', () => {
    const t = new PathTemplater();
    feed(t, ['/users/1', '/users/2', '/users/me', '/users/3']);
    expect(t.observe(HOST, 'GET', '/users/me', 200).template).toBe('/users/me');
    expect(t.observe(HOST, 'GET', '/users/99', 200).template).toBe('/users/{userId}');
  });

  it('keeps a date-like API version at the root static', () => {
    const t = new PathTemplater();
    const r = t.observe(
      HOST,
      'GET',
      '/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA0123456789abcdef0123456789abcdef.json',
      200,
    );
    expect(r.template).toBe('/2010-04-01/Accounts/{accountId}/Calls/{callId}.json');
  });

  it('handles Stripe ids and actions', () => {
    const t = new PathTemplater();
    const r = t.observe(HOST, 'POST', '/v1/charges/ch_3NxAbc12DefGhi34Jkl/capture', 200);
    expect(r.template).toBe('/v1/charges/{chargeId}/capture');
    expect(t.observe(HOST, 'GET', '/v1/customers/search', 200).template).toBe('/v1/customers/search');
  });
});

describe('PathTemplater: untyped values by evidence', () => {
  it('merges many usernames into {username}, with an explained merge event', () => {
    const t = new PathTemplater();
    const events = feed(
      t,
      NAMES.map((n) => `/users/${n}`),
    );
    expect(t.observe(HOST, 'GET', '/users/zed', 200).template).toBe('/users/{username}');
    const merge = events.find((e) => e.into === '/users/{username}');
    expect(merge).toBeDefined();
    expect(merge?.method).toBe('GET');
    expect(merge?.from).toContain('/users/alice');
    expect(merge?.explanation.segmentIndex).toBe(1);
    expect(merge?.explanation.distinctValues).toBeGreaterThanOrEqual(5);
    expect(merge?.explanation.kinds).toContain('slug');
  });

  it('re-attributes: every template seen before the merge is in exactly one event', () => {
    const t = new PathTemplater();
    const seen = new Set<string>();
    const merged = new Map<string, string>();
    for (const n of NAMES) {
      const r = t.observe(HOST, 'GET', `/users/${n}`, 200);
      seen.add(r.template);
      for (const ev of r.merges) for (const f of ev.from) merged.set(f, ev.into);
    }
    for (const tpl of seen) {
      if (tpl === '/users/{username}') continue;
      expect(merged.get(tpl)).toBe('/users/{username}');
    }
  });

  it('keeps a small set of static names static (actions, sub-resources)', () => {
    const t = new PathTemplater();
    const actions = ['next', 'previous', 'pause', 'play', 'seek', 'shuffle', 'repeat', 'volume', 'queue', 'devices'];
    for (let round = 0; round < 20; round++)
      feed(
        t,
        actions.map((a) => `/me/player/${a}`),
      );
    expect(t.observe(HOST, 'GET', '/me/player/next', 200).template).toBe('/me/player/next');
    expect(t.endpoints().length).toBe(actions.length);
  });

  it('does not merge many static resources under a version', () => {
    const t = new PathTemplater();
    const resources = Array.from(
      { length: 30 },
      (_, i) => `resource_${String.fromCharCode(97 + (i % 26))}${i >= 26 ? 'x' : ''}s`,
    );
    for (let round = 0; round < 10; round++)
      feed(
        t,
        resources.map((r) => `/v1/${r}`),
      );
    expect(t.endpoints().map((e) => e.template)).toContain('/v1/resource_as');
    expect(t.endpoints().length).toBe(30);
  });

  it('a learnt template stays stable: later traffic never splits it again', () => {
    const t = new PathTemplater();
    feed(
      t,
      NAMES.map((n) => `/users/${n}`),
    );
    for (const n of ['aa', 'bb', 'cc', 'alice'])
      expect(t.observe(HOST, 'GET', `/users/${n}`, 200).template).toBe('/users/{username}');
  });

  it('keeps a static leaf beside values that have sub-paths (/repos/search beside /repos/{owner}/{repo})', () => {
    const t = new PathTemplater();
    for (let i = 0; i < 60; i++) feed(t, [`/repos/owner${i}x-a/repo${i}y-b/issues`]);
    feed(t, ['/repos/search', '/repos/search']);
    expect(t.observe(HOST, 'GET', '/repos/search', 200).template).toBe('/repos/search');
    expect(t.observe(HOST, 'GET', '/repos/zz-top1/yy-9/issues', 200).template).toBe('/repos/{repoName}/{id}/issues');
  });

  it('folds file paths into a greedy parameter', () => {
    const t = new PathTemplater();
    const files = ['a.go', 'b.md', 'c.ts', 'src/d.go', 'src/lib/e.go', 'docs/f.md', 'g.py', 'cmd/h.go'];
    const events = feed(
      t,
      files.map((f) => `/repos/o/r/raw/${f}`),
    );
    expect(t.observe(HOST, 'GET', '/repos/o/r/raw/x/y/z.txt', 200).template).toBe('/repos/o/r/raw/{path+}');
    expect(events.some((e) => e.explanation.reason === 'greedy')).toBe(true);
  });
});

describe('PathTemplater: what is not an API endpoint', () => {
  it('never creates an endpoint from failures; counts them apart', () => {
    const t = new PathTemplater();
    const r = t.observe(HOST, 'GET', '/.env', 404);
    expect(r.class).toBe('unconfirmed');
    t.observe(HOST, 'GET', '/wp-login.php', 404);
    expect(t.endpoints()).toEqual([]);
    expect(t.apart()[0]?.unconfirmed).toBe(2);
  });

  it('attributes a failure to an endpoint that has succeeded before', () => {
    const t = new PathTemplater();
    t.observe(HOST, 'GET', '/orders/1', 200);
    const r = t.observe(HOST, 'GET', '/orders/2', 403);
    expect(r.class).toBe('api');
    expect(r.template).toBe('/orders/{orderId}');
  });

  it('classifies static assets apart', () => {
    const t = new PathTemplater();
    const r = t.observe(HOST, 'GET', '/static/js/main.3f2a9c.js', 200);
    expect(r.class).toBe('asset');
    expect(t.endpoints()).toEqual([]);
  });
});

describe('PathTemplater: memory cap', () => {
  it('a flood of random successful paths stays bounded', () => {
    const t = new PathTemplater(undefined, { maxNodesPerHost: 2_000 });
    let x = 12345;
    const rand = () => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x.toString(36);
    };
    for (let i = 0; i < 20_000; i++) t.observe(HOST, 'GET', `/${rand()}/${rand()}/${rand()}`, 200);
    const hs = t.state.hosts[`=${HOST}`];
    expect(hs?.nodes).toBeLessThanOrEqual(2_000);
    expect(t.endpoints().length).toBeLessThan(200);
    expect(JSON.stringify(t.state).length).toBeLessThan(2_000_000);
  });

  it('past the node budget, new paths are counted in an overflow bucket', () => {
    const t = new PathTemplater(undefined, { maxNodesPerHost: 50 });
    t.setOverrides([{ kind: 'split', host: HOST, template: '/{id}', segmentIndex: 0 }]);
    const classes = new Set<string>();
    for (let i = 0; i < 500; i++) classes.add(t.observe(HOST, 'GET', `/p${i}q/items`, 200).class);
    expect(classes).toEqual(new Set(['api', 'overflow']));
    expect(t.state.hosts[`=${HOST}`]?.nodes).toBeLessThanOrEqual(50);
    expect(t.apart()[0]?.overflow).toBeGreaterThan(400);
  });

  it('caps hosts', () => {
    const t = new PathTemplater(undefined, { maxHosts: 3 });
    for (let i = 0; i < 10; i++) t.observe(`h${i}.example.com`, 'GET', '/a', 200);
    expect(Object.keys(t.state.hosts).length).toBe(4);
    expect(t.observe('h9.example.com', 'GET', '/a', 200).host).toBe('(other)');
  });
});

describe('PathTemplater: gateway routes and overrides', () => {
  it('trusts the gateway route template', () => {
    const t = new PathTemplater();
    const r = t.observe(HOST, 'GET', '/pets/rex', 200, '/pets/{petName}');
    expect(r.template).toBe('/pets/{petName}');
    expect(r.params).toEqual([{ index: 1, name: 'petName', kind: 'slug' }]);
    // Traffic of the same host without a route (CloudFront) follows the declared structure.
    expect(t.observe(HOST, 'GET', '/pets/fido', 200).template).toBe('/pets/{petName}');
    expect(t.observe(HOST, 'GET', '/x', 200, 'GET /x').template).toBe('/x');
  });

  it('learns below a greedy {proxy+} route', () => {
    const t = new PathTemplater();
    const r = t.observe(HOST, 'GET', '/api/users/42', 200, '/api/{proxy+}');
    expect(r.template).toBe('/api/users/{userId}');
  });

  it('declare, pin-static and split overrides are respected and serialisable', () => {
    // Prepare
    const t = new PathTemplater();
    t.setOverrides([
      { kind: 'declare', host: HOST, template: '/accounts/{accountName}', method: 'GET' },
      { kind: 'pin-static', host: HOST, path: '/users/me' },
      { kind: 'split', host: HOST, template: '/regions/{id}', segmentIndex: 1 },
    ]);
    // Act
    const declared = t.observe(HOST, 'GET', '/accounts/acme', 200).template;
    feed(
      t,
      NAMES.map((n) => `/users/${n}`),
    );
    const me = t.observe(HOST, 'GET', '/users/me', 200).template;
    const regions = ['1', '2', '3'].map((r) => t.observe(HOST, 'GET', `/regions/${r}`, 200).template);
    // Assess
    expect(declared).toBe('/accounts/{accountName}');
    expect(me).toBe('/users/me');
    expect(t.observe(HOST, 'GET', '/users/zoe', 200).template).toBe('/users/{username}');
    expect(regions).toEqual(['/regions/1', '/regions/2', '/regions/3']);
    const copy = new PathTemplater(JSON.parse(JSON.stringify(t.state)));
    expect(copy.observe(HOST, 'GET', '/users/me', 200).template).toBe('/users/me');
    expect(copy.lookup(HOST, 'GET', '/accounts/zz')?.template).toBe('/accounts/{accountName}');
  });

  it('a declare override without a method is authoritative for every segment', () => {
    // Prepare
    const t = new PathTemplater();
    t.setOverrides([{ kind: 'declare', host: HOST, template: '/internal/{area}/{setting}' }]);
    // Act
    const first = t.observe(HOST, 'GET', '/internal/debug/config', 200).template;
    const other = t.observe(HOST, 'POST', '/internal/cache/ttl', 200).template;
    const shorter = t.observe(HOST, 'GET', '/internal/debug', 200).template;
    // Assess
    expect(first).toBe('/internal/{area}/{setting}');
    expect(other).toBe('/internal/{area}/{setting}');
    // Not an instance of the declared template: learnt as usual.
    expect(shorter).toBe('/internal/debug');
  });

  it('setOverrides resets the hosts it touches', () => {
    const t = new PathTemplater();
    feed(
      t,
      NAMES.map((n) => `/users/${n}`),
    );
    const reset = t.setOverrides([{ kind: 'split', host: HOST, template: '/users/{username}', segmentIndex: 1 }]);
    expect(reset).toEqual([HOST]);
    expect(t.observe(HOST, 'GET', '/users/alice', 200).template).toBe('/users/alice');
  });

  it('is safe with prototype-like segments', () => {
    const t = new PathTemplater();
    expect(t.observe('__proto__', 'GET', '/__proto__/constructor', 200).template).toBe('/__proto__/constructor');
    expect(({} as Record<string, unknown>).h).toBeUndefined();
  });
});
