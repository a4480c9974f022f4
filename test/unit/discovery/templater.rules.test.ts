/**
 * The templating rules added for order independence, names beside values and small value sets
 * (docs/discovery.md, "Rules"). Each rule is tested from both sides: where it applies and where it
 * must not.
 */
import { describe, expect, it } from 'vitest';
import { PathTemplater } from '../../../shared/discovery/templater.js';

const HOST = 'api.example.com';

function get(t: PathTemplater, path: string): string {
  return t.observe(HOST, 'GET', path, 200).template;
}

const SUBRESOURCES = [
  'users',
  'clients',
  'groups',
  'roles',
  'events',
  'sessions',
  'components',
  'keys',
  'flows',
  'scopes',
  'mappers',
  'policies',
  'providers',
  'credentials',
];
const REALMS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

describe('rule: below a word in a value slot, sub-resource names stay static', () => {
  it('keeps the sub-resources of the first realm static until other realms arrive', () => {
    // Prepare
    const t = new PathTemplater();
    // Act: the most popular realm's sub-resources (each with an id below) arrive before any other realm.
    for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/master/${s}/${1000 + i}`);
    // Assess
    expect(get(t, '/realms/master/users/7')).toBe('/realms/master/users/{userId}');
    expect(get(t, '/realms/master/clients/7')).toBe('/realms/master/clients/{clientId}');
  });

  it('still merges many leaf values below a name in a value slot (/timelines/tag/{hashtag})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (let i = 0; i < 30; i++) get(t, `/timelines/tag/topic${String.fromCharCode(97 + (i % 26))}${i}x`);
    // Assess
    expect(get(t, '/timelines/tag/weekend')).toBe('/timelines/tag/{tagName}');
  });

  it('merges the same names below a word that is not in a value slot (cardinality)', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const [i, s] of SUBRESOURCES.entries()) get(t, `/admin/master/${s}/${1000 + i}`);
    // Assess: no REST hint protects them: 14 distinct words seen once are values.
    expect(get(t, '/admin/master/users/7')).toMatch(/^\/admin\/master\/\{[^}]+\}\/\{[^}]+\}$/);
  });
});

describe('rule: one literal beside a parameter is judged on its own', () => {
  it('lets a heavy value that arrived first join the parameter its peers formed', () => {
    // Prepare
    const t = new PathTemplater();
    for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/master/${s}/${1000 + i}`);
    // Act: other realms with the same sub-resources form {realm}; master is re-judged as traffic goes on.
    for (const realm of REALMS) for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/${realm}/${s}/${i}`);
    for (let k = 0; k < 16; k++) get(t, `/realms/master/users/${k}`);
    // Assess
    expect(get(t, '/realms/master/users/7')).toBe('/realms/{realmName}/users/{userId}');
    expect(get(t, '/realms/newcorp/groups/7')).toBe('/realms/{realmName}/groups/{groupId}');
  });

  it('keeps a literal whose children are not the parameter’s children', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/realms/search/recent/0');
    // Act
    for (const realm of REALMS) for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/${realm}/${s}/${i}`);
    for (let k = 0; k < 16; k++) get(t, `/realms/search/recent/${k}`);
    // Assess
    expect(get(t, '/realms/search/recent/1')).toBe('/realms/search/recent/{recentId}');
  });
});

describe('rule: the empty segment of a trailing slash is never a value', () => {
  it('keeps /realms/ apart from /realms/{realm}', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 30; i++) get(t, `/realms/r${i}x${i * 7}`);
    // Act
    const slash = get(t, '/realms/');
    // Assess
    expect(get(t, '/realms/zz9top')).toBe('/realms/{realmName}');
    expect(slash).toBe('/realms/');
  });
});

describe('rule: a word whose children are its own peers is a collection name', () => {
  const SUBJECTS = ['orders', 'payments', 'refunds', 'invoices', 'carts', 'users', 'events', 'audits'];

  it('keeps /registry/config static when config is keyed by the values beside it', () => {
    // Prepare
    const t = new PathTemplater();
    for (const s of SUBJECTS.slice(0, 4)) get(t, `/registry/config/${s}-topic`);
    // Act: values, each seen once, enough for a cardinality merge.
    for (const s of SUBJECTS) get(t, `/registry/${s}-topic`);
    for (let i = 0; i < 8; i++) get(t, `/registry/extra${String.fromCharCode(97 + i)}-topic`);
    // Assess
    expect(get(t, '/registry/weather-topic')).toBe('/registry/{registryName}');
    expect(get(t, '/registry/config')).toBe('/registry/config');
    expect(get(t, '/registry/config/orders-topic')).toBe('/registry/config/orders-topic');
  });

  it('still merges a value whose children are sub-resource names', () => {
    // Prepare
    const t = new PathTemplater();
    for (const s of SUBJECTS.slice(0, 4)) get(t, `/registry/main/${s === 'orders' ? 'versions' : 'schema'}`);
    // Act
    for (const s of SUBJECTS) get(t, `/registry/${s}-topic`);
    for (let i = 0; i < 8; i++) get(t, `/registry/extra${String.fromCharCode(97 + i)}-topic`);
    // Assess
    expect(get(t, '/registry/main/schema')).toBe('/registry/{registryName}/schema');
  });
});

describe('rule: words in a naming convention need more evidence', () => {
  const METRICS = [
    'frontend_cpu_utilization',
    'frontend_connections_current',
    'frontend_connections_limit',
    'frontend_http_requests_per_second',
    'frontend_network_throughput_tcp',
    'frontend_network_throughput_udp',
    'droplets_http_response_time_avg',
    'droplets_http_response_time_p99',
    'droplets_queue_size',
    'droplets_health_checks',
    'droplets_downtime_total',
    'droplets_http_session_duration_avg',
    'frontend_tls_connections_current',
    'frontend_firewall_dropped_bytes',
  ];

  it('keeps many snake_case metric names static', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const m of METRICS) get(t, `/monitoring/metrics/load_balancer/${m}`);
    // Assess
    expect(get(t, '/monitoring/metrics/load_balancer/droplets_queue_size')).toBe(
      '/monitoring/metrics/load_balancer/droplets_queue_size',
    );
  });

  it('keeps PascalCase names below a plural collection static (/Records/ThisMonth.json)', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const r of ['Today', 'Yesterday', 'ThisMonth', 'LastMonth', 'Daily', 'Monthly', 'Yearly', 'AllTime'])
      get(t, `/Usage/Records/${r}.json`);
    // Assess
    expect(get(t, '/Usage/Records/Daily.json')).toBe('/Usage/Records/Daily.json');
  });

  it('still merges as many slugs (user data)', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const name of [
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
    ])
      get(t, `/monitoring/metrics/load_balancer/${name}`);
    // Assess
    expect(get(t, '/monitoring/metrics/load_balancer/zoe')).toBe(
      '/monitoring/metrics/load_balancer/{loadBalancerName}',
    );
  });
});

describe('rule: same-shape words below a name are values (small value sets)', () => {
  const LOCALES = ['de', 'fr', 'ja'];

  it('merges locales each keyed by the same parameter (/localization/{locale}/{key})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act: the keys below each locale become a parameter first; the locale position is judged again then.
    for (const l of LOCALES) for (let k = 0; k < 14; k++) get(t, `/localization/${l}/key${k}x${k * 3}`);
    // Assess
    expect(get(t, '/localization/de/greeting')).toBe('/localization/{localizationName}/{id}');
    expect(get(t, '/localization/it/greeting')).toBe('/localization/{localizationName}/{id}');
  });

  it('merges two scopes with the very same endpoints (/metadata/{scope}/{key})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const scope of ['global', 'enterprise'])
      for (const m of ['GET', 'PUT', 'DELETE'])
        for (let k = 0; k < 14; k++) t.observe(HOST, m, `/metadata/${scope}/tpl${k}x${k * 7}`, 200);
    // More traffic: the position is judged again now and then.
    for (let k = 0; k < 64; k++) get(t, `/metadata/enterprise/tpl${k % 14}x${(k % 14) * 7}`);
    // Assess
    expect(get(t, '/metadata/global/tpl1x7')).toBe('/metadata/{metadataName}/{id}');
  });

  it('merges two scopes when one has not shown every method of the other yet', () => {
    // Prepare
    const t = new PathTemplater();
    // Act: the rarer scope has not been written with POST yet.
    for (const [scope, methods] of [
      ['global', ['GET', 'PUT', 'DELETE']],
      ['enterprise', ['GET', 'PUT', 'DELETE', 'POST']],
    ] as const)
      for (const m of methods)
        for (let k = 0; k < 14; k++) t.observe(HOST, m, `/metadata/${scope}/tpl${k}x${k * 7}`, 200);
    for (let k = 0; k < 64; k++) get(t, `/metadata/enterprise/tpl${k % 14}x${(k % 14) * 7}`);
    // Assess
    expect(get(t, '/metadata/global/tpl1x7')).toBe('/metadata/{metadataName}/{id}');
  });

  it('keeps two words apart when each answers a method the other does not', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const [scope, methods] of [
      ['global', ['GET', 'PUT', 'DELETE']],
      ['enterprise', ['GET', 'PUT', 'POST']],
    ] as const)
      for (const m of methods)
        for (let k = 0; k < 14; k++) t.observe(HOST, m, `/metadata/${scope}/tpl${k}x${k * 7}`, 200);
    for (let k = 0; k < 64; k++) get(t, `/metadata/enterprise/tpl${k % 14}x${(k % 14) * 7}`);
    // Assess
    expect(get(t, '/metadata/global/tpl1x7')).toBe('/metadata/global/{globalName}');
  });

  it('keeps same-shaped members of a plural collection static (/indicators/sma/{ticker})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const ind of ['sma', 'ema', 'macd', 'rsi'])
      for (let k = 0; k < 6; k++) get(t, `/indicators/${ind}/${1000 + k}`);
    // Assess
    expect(get(t, '/indicators/sma/7')).toBe('/indicators/sma/{smaId}');
  });

  it('keeps distinct collections with the same shape static (/admin/users/{id}, /admin/groups/{id})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const c of ['users', 'groups', 'roles'])
      for (const m of ['GET', 'PUT', 'DELETE'])
        for (let k = 0; k < 4; k++) t.observe(HOST, m, `/admin/${c}/${k + 1}`, 200);
    // Assess
    expect(get(t, '/admin/users/7')).toBe('/admin/users/{userId}');
    expect(get(t, '/admin/groups/7')).toBe('/admin/groups/{groupId}');
  });
});

describe('rule: a leaf answering only methods no value answers is an action', () => {
  it('keeps POST /runners/registration-token beside GET|DELETE /runners/{runner}', () => {
    // Prepare
    const t = new PathTemplater();
    t.observe(HOST, 'POST', '/runners/registration-token', 200);
    // Act
    for (let i = 0; i < 16; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/runners/runner${String.fromCharCode(97 + i)}`, 200);
    for (let i = 0; i < 24; i++) t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', '/runners/runnera', 200);
    // Assess
    expect(get(t, '/runners/runnerz')).toBe('/runners/{runnerName}');
    expect(t.observe(HOST, 'POST', '/runners/registration-token', 200).template).toBe('/runners/registration-token');
    expect(t.observe(HOST, 'POST', '/runners/other-action', 200).template).toBe('/runners/other-action');
  });

  it('keeps a POST action arriving once the parameter answered a handful of requests', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 6; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/runners/runner${String.fromCharCode(97 + i)}`, 200);
    expect(get(t, '/runners/runnerz')).toBe('/runners/{runnerName}');
    // Act
    const action = t.observe(HOST, 'POST', '/runners/registration-token', 200).template;
    // Assess
    expect(action).toBe('/runners/registration-token');
  });

  it('takes values written with POST back once three arrive (cardinality beside the parameter)', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 6; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/runners/runner${String.fromCharCode(97 + i)}`, 200);
    // Act
    for (const w of ['runner-x', 'runner-y', 'runner-w']) t.observe(HOST, 'POST', `/runners/${w}`, 200);
    // Assess
    expect(t.observe(HOST, 'POST', '/runners/runner-x', 200).template).toBe('/runners/{runnerName}');
  });

  it('keeps GET|POST /registries/subscription beside GET|DELETE /registries/{name}', () => {
    // Prepare
    const t = new PathTemplater();
    t.observe(HOST, 'GET', '/registries/subscription', 200);
    t.observe(HOST, 'POST', '/registries/subscription', 200);
    // Act
    for (let i = 0; i < 16; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/registries/reg${String.fromCharCode(97 + i)}`, 200);
    // Assess
    expect(get(t, '/registries/regz')).toBe('/registries/{registryName}');
    expect(t.observe(HOST, 'POST', '/registries/subscription', 200).template).toBe('/registries/subscription');
  });

  it('keeps a popular POST action beside another POST leaf: a heavy hitter neither vouches nor is vouched for', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 30; i++) t.observe(HOST, 'POST', '/registries/validate-name', 200);
    t.observe(HOST, 'GET', '/registries/subscription', 200);
    t.observe(HOST, 'POST', '/registries/subscription', 200);
    // Act
    for (let i = 0; i < 16; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/registries/reg${String.fromCharCode(97 + i)}`, 200);
    // Assess
    expect(get(t, '/registries/regz')).toBe('/registries/{registryName}');
    expect(t.observe(HOST, 'POST', '/registries/validate-name', 200).template).toBe('/registries/validate-name');
    expect(t.observe(HOST, 'POST', '/registries/subscription', 200).template).toBe('/registries/subscription');
  });

  it('merges a value written with PUT before its peers are (PUT is an item method)', () => {
    // Prepare
    const t = new PathTemplater();
    t.observe(HOST, 'PUT', '/settings/key-old', 200);
    // Act
    for (let i = 0; i < 16; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/settings/key${String.fromCharCode(97 + i)}`, 200);
    // Assess
    expect(t.observe(HOST, 'PUT', '/settings/key-old', 200).template).toMatch(/^\/settings\/\{[^}]+\}$/);
  });

  it('merges a value answering a method its peers answer too', () => {
    // Prepare
    const t = new PathTemplater();
    t.observe(HOST, 'DELETE', '/runners/runner-old', 200);
    // Act
    for (let i = 0; i < 16; i++)
      t.observe(HOST, i % 2 === 0 ? 'GET' : 'DELETE', `/runners/runner${String.fromCharCode(97 + i)}`, 200);
    // Assess
    expect(t.observe(HOST, 'DELETE', '/runners/runner-old', 200).template).toBe('/runners/{runnerName}');
  });
});

describe('rule: a word followed by one of the parameter’s own values is a name (after a merge)', () => {
  it('routes /registry/config/{known value} to a literal config, not into {registry}', () => {
    // Prepare: config seen as a leaf among values, merged with them.
    const t = new PathTemplater();
    get(t, '/registry/config');
    for (let i = 0; i < 14; i++) get(t, `/registry/topic${String.fromCharCode(97 + i)}x`);
    expect(get(t, '/registry/config')).toBe('/registry/{registryName}');
    // Act
    const keyed = get(t, '/registry/config/topicax');
    // Assess
    expect(keyed).toBe('/registry/config/topicax');
    expect(get(t, '/registry/config')).toBe('/registry/config');
  });

  it('still routes a value followed by its own name (/repos/alice/alice)', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 14; i++) get(t, `/owners/user${String.fromCharCode(97 + i)}x/repos`);
    // Act
    const self = get(t, '/owners/userax/userax');
    // Assess
    expect(self).toBe('/owners/{ownerName}/userax');
  });
});

describe('rule: cousins pool their evidence', () => {
  it('merges keys below each locale when the same keys recur below several locales', () => {
    // Prepare
    const t = new PathTemplater();
    const keys = Array.from({ length: 16 }, (_, i) => `label${String.fromCharCode(97 + i)}`);
    // Act: few keys per locale (no locale alone has enough), some recurring across locales.
    const locales = ['de', 'fr', 'it', 'nl'];
    for (const [i, l] of locales.entries()) {
      get(t, `/localization/${l}/shared-title`);
      for (const k of keys.slice(i * 4, i * 4 + 4)) get(t, `/localization/${l}/${k}`);
    }
    // Assess
    expect(get(t, '/localization/de/labelz')).toMatch(/^\/localization\/(de|\{[^}]+\})\/\{[^}]+\}$/);
  });

  it('does not pool unrelated siblings (/transfer/accept, /reparent/accept beside /branches/<name>)', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (let i = 0; i < 20; i++) get(t, `/repo/branches/feature${String.fromCharCode(97 + i)}x`);
    for (const action of ['accept', 'reject']) {
      t.observe(HOST, 'POST', `/repo/transfer/${action}`, 200);
      t.observe(HOST, 'POST', `/repo/reparent/${action}`, 200);
    }
    // Assess
    expect(t.observe(HOST, 'POST', '/repo/transfer/accept', 200).template).toBe('/repo/transfer/accept');
    expect(t.observe(HOST, 'POST', '/repo/reparent/reject', 200).template).toBe('/repo/reparent/reject');
  });
});

describe('rule: a pair of parameters of one kind is not a sub-collection', () => {
  it('merges /conversion/{from}/{to} where both positions hold the same currencies', () => {
    // Prepare
    const t = new PathTemplater();
    const codes = ['aud', 'brl', 'cad', 'chf', 'cny', 'dkk', 'eur', 'gbp', 'hkd', 'inr', 'jpy', 'krw', 'mxn', 'nok'];
    // Act: every value is followed by other values of the same kind.
    for (const [i, c] of codes.entries()) get(t, `/conversion/${c}x/${codes[(i + 3) % codes.length]}x`);
    for (const [i, c] of codes.entries()) get(t, `/conversion/${c}x/${codes[(i + 5) % codes.length]}x`);
    // Assess
    expect(get(t, '/conversion/usdx/eurx')).toMatch(/^\/conversion\/\{[^}]+\}\/(eurx|\{[^}]+\})$/);
    expect(get(t, '/conversion/audx/usdx')).not.toMatch(/^\/conversion\/audx\//);
  });
});

describe('rule: a collection member followed by a parameter is a qualifier', () => {
  it('keeps /timelines/{home,public,…} static when /timelines/tag/{hashtag} sits beside them', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/timelines/tag/12345');
    // Act
    for (const name of ['home', 'public', 'link', 'direct', 'bubble']) get(t, `/timelines/${name}`);
    // Assess
    expect(get(t, '/timelines/home')).toBe('/timelines/home');
  });

  it('still merges leaf members of a plural collection (/branches/{branch})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const name of ['main', 'develop', 'release', 'hotfix', 'staging', 'feature']) get(t, `/branches/${name}`);
    // Assess
    expect(get(t, '/branches/experiment')).toBe('/branches/{branchName}');
  });
});

describe('rule: heavy hitters do not count as members of a plural collection', () => {
  it('keeps two popular names and three rare ones static (/timelines/{home,public,…})', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 40; i++) {
      get(t, '/timelines/home');
      get(t, '/timelines/public');
    }
    // Act: three rare names, then a fourth word with a word below it.
    for (const name of ['link', 'direct']) get(t, `/timelines/${name}`);
    get(t, '/timelines/tag/weekend');
    // Assess
    expect(get(t, '/timelines/link')).toBe('/timelines/link');
    expect(get(t, '/timelines/home')).toBe('/timelines/home');
  });

  it('still merges a long tail of rare members beside a popular one (/branches/{branch})', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 40; i++) get(t, '/branches/main');
    // Act
    for (const name of ['develop', 'release', 'hotfix', 'staging', 'feature']) get(t, `/branches/${name}`);
    // Assess
    expect(get(t, '/branches/experiment')).toBe('/branches/{branchName}');
    expect(get(t, '/branches/main')).toBe('/branches/{branchName}');
  });
});

describe('rule: words merged beside value-like words go on like them', () => {
  it('keeps /open-close/crypto/{from}/{to} apart from /open-close/{ticker}/{date}', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/open-close/crypto/BTC/USD/2024-01-02');
    // Act
    for (const ticker of ['I:NDX', 'I:SPX', 'O:AAPL240119C00150000', 'I:DJI'])
      get(t, `/open-close/${ticker}/2024-01-02`);
    // Assess
    expect(get(t, '/open-close/I:RUT/2024-01-03')).toMatch(/^\/open-close\/\{[^}]+\}\/\{[^}]+\}$/);
    expect(get(t, '/open-close/crypto/BTC/USD/2024-01-02')).toMatch(/^\/open-close\/crypto\//);
  });

  it('still merges a plain word whose path goes on like the value-like words', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/apps/web/deployments');
    // Act
    for (const app of ['app-01', 'svc-02', 'api-03']) get(t, `/apps/${app}/deployments`);
    // Assess
    expect(get(t, '/apps/web/deployments')).toBe('/apps/{appName}/deployments');
  });

  it('does not route a lower-case word into a parameter of ALL-CAPS values', () => {
    // Prepare
    const t = new PathTemplater();
    for (const ticker of ['I:NDX', 'I:SPX', 'I:DJI', 'I:RUT', 'I:VIX', 'I:FTSE'])
      get(t, `/open-close/${ticker}/2024-01-02`);
    // Act
    const crypto = get(t, '/open-close/crypto/BTC/USD/2024-01-02');
    // Assess
    expect(crypto).toMatch(/^\/open-close\/crypto\//);
    expect(get(t, '/open-close/I:GDAXI/2024-01-02')).toMatch(/^\/open-close\/\{[^}]+\}\/\{[^}]+\}$/);
  });
});

describe('rule: a word joins a parameter by shape only when its path below is no deeper', () => {
  it('keeps /open-close/crypto/{n}/{n}/{date} apart from /open-close/{ticker}/{date}', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/open-close/crypto/1/2/2024-01-02');
    for (const ticker of ['I:NDX', 'I:SPX', 'I:DJI']) get(t, `/open-close/${ticker}/2024-01-02`);
    // Act: `crypto` is judged again beside the parameter, many times.
    for (let i = 0; i < 64; i++) get(t, `/open-close/crypto/${i + 3}/${i + 4}/2024-01-02`);
    // Assess
    expect(get(t, '/open-close/crypto/1/2/2024-01-02')).toMatch(/^\/open-close\/crypto\//);
  });

  it('still joins a word keyed by the parameter’s own parameters (/localization/fi/{key})', () => {
    // Prepare
    const t = new PathTemplater();
    for (const ticker of ['I:NDX', 'I:SPX', 'I:DJI']) get(t, `/quotes/${ticker}/2024-01-02`);
    // Act
    for (let i = 0; i < 64; i++) get(t, `/quotes/NDAQ/2024-01-${String(10 + (i % 18))}`);
    // Assess
    expect(get(t, '/quotes/NDAQ/2024-01-02')).toMatch(/^\/quotes\/\{[^}]+\}\/\{[^}]+\}$/);
  });
});

describe('rule: a segment without a letter or digit is a separator, never a value', () => {
  it('keeps /-/ static among package versions (/packages/{name}/-/latest)', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/packages/left-pad/-/latest');
    // Act: many versions, each seen once, beside the separator.
    for (let i = 0; i < 60; i++) get(t, `/packages/left-pad/rel-${String.fromCharCode(97 + (i % 26))}${i}x`);
    // Assess
    expect(get(t, '/packages/left-pad/rel-zz')).toBe('/packages/left-pad/{leftPadName}');
    expect(get(t, '/packages/left-pad/-/latest')).toBe('/packages/left-pad/-/latest');
  });
});

describe('rule: a literal whose leaves the parameter beside it takes joins it', () => {
  it('joins /localization/pt-BR/<key> seen before /localization/{locale}/{key} formed', () => {
    // Prepare: one locale's keys arrive first, then other locales form the parameter.
    const t = new PathTemplater();
    get(t, '/localization/pt-BR/welcome');
    get(t, '/localization/pt-BR/goodbye');
    for (const locale of ['de', 'fr', 'ja', 'it'])
      for (let i = 0; i < 14; i++) get(t, `/localization/${locale}/key${i}x${locale}`);
    // Act: the old literal is judged again as its traffic goes on.
    for (let i = 0; i < 16; i++) get(t, '/localization/pt-BR/welcome');
    // Assess: the locale is a value now (its keys may stay literal below it until judged).
    expect(get(t, '/localization/pt-BR/welcome')).toMatch(/^\/localization\/\{[^}]+\}\//);
  });

  it('keeps a literal whose leaves answer a method the parameter below never answered', () => {
    // Prepare
    const t = new PathTemplater();
    t.observe(HOST, 'POST', '/localization/import/run', 200);
    t.observe(HOST, 'POST', '/localization/import/check', 200);
    for (const locale of ['de', 'fr', 'ja', 'it'])
      for (let i = 0; i < 14; i++) get(t, `/localization/${locale}/key${i}x${locale}`);
    // Act
    for (let i = 0; i < 16; i++) t.observe(HOST, 'POST', '/localization/import/run', 200);
    // Assess
    expect(t.observe(HOST, 'POST', '/localization/import/run', 200).template).toBe('/localization/import/run');
  });
});

describe('rule: words each below one value only are values of their own', () => {
  const OWNERS = [
    'alder',
    'birch',
    'cedar',
    'dogwood',
    'elm',
    'fir',
    'ginkgo',
    'hazel',
    'juniper',
    'larch',
    'maple',
    'oak',
  ];
  const TYPES = [
    'amber',
    'bronze',
    'coral',
    'denim',
    'ebony',
    'fawn',
    'garnet',
    'henna',
    'indigo',
    'jade',
    'khaki',
    'lilac',
  ];
  const NAMES = [
    'apple',
    'banana',
    'cherry',
    'damson',
    'elder',
    'feijoa',
    'guava',
    'huckle',
    'jambul',
    'kiwi',
    'lime',
    'mango',
  ];

  /** Owners, each with a package type and name of its own (`/packages/{owner}/{type}/{name}`). */
  function packages(): PathTemplater {
    const t = new PathTemplater();
    for (const [i, owner] of OWNERS.entries()) get(t, `/packages/${owner}/${TYPES[i]}/${NAMES[i]}`);
    return t;
  }

  it('merges the words below merged values when none recurs below two of them', () => {
    // Prepare
    const t = packages();
    // Act: the owners were merged by cardinality on the twelfth; their types and names came with them.
    const template = get(t, '/packages/alder/amber/apple');
    // Assess
    expect(template).toMatch(/^\/packages\/\{[^}]+\}\/\{[^}]+\}\/\{[^}]+\}$/);
    expect(get(t, '/packages/pine/mauve/nectarine')).toBe(template);
  });

  it('keeps sub-resource names that recur below several values', () => {
    // Prepare
    const t = new PathTemplater();
    const subs = ['repos', 'starred', 'followers'];
    // Act
    for (const [i, owner] of OWNERS.entries()) get(t, `/people/${owner}/${subs[i % 3]}/${NAMES[i]}`);
    // Assess
    expect(get(t, '/people/alder/repos/apple')).toMatch(/^\/people\/\{[^}]+\}\/repos\//);
  });

  it('sends the words a later merge carries to the parameter their path fits', () => {
    // Prepare
    const t = packages();
    get(t, '/packages/zed'); // a leaf: {owner} ends no endpoint yet, so `zed` stays a literal
    get(t, '/packages/zed/tan/pear');
    get(t, '/packages/zed/teal/plum');
    // Act: a new literal beside {owner} has the position judged again.
    get(t, '/packages/yak');
    // Assess: `zed` joined {owner} (its sub-paths fit there), and `tan` went on into {type}.
    expect(get(t, '/packages/zed/tan/pear')).toBe(get(t, '/packages/alder/amber/apple'));
  });
});

describe('rule: literals beside a parameter are judged again as values go through it', () => {
  it('lets a literal join once traffic through the parameter shows its sub-paths fit', () => {
    // Prepare: {owner}/{type}/{name} answering GET, and `zed` whose sub-paths answer DELETE.
    const t = new PathTemplater();
    const owners = ['alder', 'birch', 'cedar', 'dogwood', 'elm', 'fir', 'ginkgo', 'hazel', 'juniper', 'larch'];
    const more = ['maple', 'oak'];
    for (const [i, owner] of [...owners, ...more].entries())
      get(t, `/packages/${owner}/type${'abcdefghijkl'[i]}x/pkg${'abcdefghijkl'[i]}x`);
    get(t, '/packages/zed');
    t.observe(HOST, 'DELETE', '/packages/zed/tan/pear', 200);
    t.observe(HOST, 'DELETE', '/packages/zed/teal/plum', 200);
    get(t, '/packages/yak'); // judged now: {name} answers no DELETE yet, so `zed` does not fit
    // Act: deletions of known packages go through {owner}, and no new literal appears beside it.
    for (const owner of owners) t.observe(HOST, 'DELETE', `/packages/${owner}/typeqx/pkgqx`, 200);
    // Assess
    expect(t.observe(HOST, 'DELETE', '/packages/zed/tan/pear', 200).template).toMatch(
      /^\/packages\/\{[^}]+\}\/\{[^}]+\}\/\{[^}]+\}$/,
    );
  });
});

describe('rule: words each followed by the same single path of names and parameters are values', () => {
  const ACCOUNTS = ['acme', 'globex', 'initech'];

  it('merges /billing/{account}/insights/{from}/{to}', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const a of ACCOUNTS) get(t, `/billing/${a}/insights/2024-01-01/2024-02-01`);
    // Assess
    expect(get(t, '/billing/acme/insights/2024-03-01/2024-04-01')).toBe(
      '/billing/{billingName}/insights/{insightDate}/{id}',
    );
  });

  it('keeps the names at a strict position (the root)', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const a of ACCOUNTS) get(t, `/${a}/insights/2024-01-01/2024-02-01`);
    // Assess
    expect(get(t, '/acme/insights/2024-03-01/2024-04-01')).toBe('/acme/insights/{insightDate}/{id}');
  });
});

describe('rule: one typed value in several extensions takes an extension parameter', () => {
  it('merges {index}.diff and {index}.patch into {index}.{extension}', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/pulls/12.diff');
    // Act
    const merges = t.observe(HOST, 'GET', '/pulls/13.patch', 200).merges;
    // Assess
    expect(get(t, '/pulls/14.diff')).toBe('/pulls/{pullId}.{extension}');
    expect(get(t, '/pulls/15.txt')).toBe('/pulls/{pullId}.{extension}');
    expect(merges.map((m) => [m.into, m.explanation.reason])).toEqual([['/pulls/{pullId}.{extension}', 'extension']]);
    expect(merges[0]?.from).toContain('/pulls/{pullId}.diff');
  });

  it('keeps a single extension literal, and a typed value with a sub-path apart', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    get(t, '/calls/CA0123456789abcdef0123456789abcdef.json');
    get(t, '/calls/41.json');
    get(t, '/files/7.zip/entries');
    get(t, '/files/8.tar');
    // Assess
    expect(get(t, '/calls/42.json')).toBe('/calls/{callId}.json');
    expect(get(t, '/files/9.tar')).toBe('/files/{fileId}.tar');
  });
});

describe('rule: many leaf words beside a typed id are a second key, not names', () => {
  /** `distro-ab`, `distro-ac`, …: untyped words, each distinct. */
  const slugs = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => `distro-${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x`,
    );

  it('merges 24 leaf words, each seen once, beside /images/{id}', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 10; i++) get(t, `/images/${1000 + i}`);
    // Act
    for (const s of slugs(24)) get(t, `/images/${s}`);
    // Assess: one image addressed by id or by slug.
    expect(get(t, '/images/distro-new')).toMatch(/^\/images\/\{[^}]+\}$/);
    expect(get(t, '/images/1234')).toBe('/images/{imageId}');
  });

  it('keeps a dozen action names beside a typed id, and words with sub-paths', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 10; i++) get(t, `/accounts/${1000 + i}`);
    // Act: a dozen names seen once each, and 24 words each with a sub-resource below.
    for (const s of slugs(12)) get(t, `/accounts/${s}`);
    for (const s of slugs(24)) get(t, `/images/${1000 + s.length}`);
    for (const s of slugs(24)) get(t, `/images/${s}/layers`);
    // Assess
    expect(get(t, '/accounts/distro-ax')).toBe('/accounts/distro-ax');
    expect(get(t, '/images/distro-ax/layers')).toBe('/images/distro-ax/layers');
  });
});

describe('rule: files of distinct stems below a position and deeper below its words span slashes', () => {
  it('takes {path+} from two direct files and two reached through directory names', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/repos/o/r/editorconfig/main.go');
    get(t, '/repos/o/r/editorconfig/README.md');
    // Act
    get(t, '/repos/o/r/editorconfig/docs/guide.txt');
    get(t, '/repos/o/r/editorconfig/src/lib/util.py');
    // Assess
    expect(get(t, '/repos/o/r/editorconfig/cmd/x/y.go')).toBe('/repos/o/r/editorconfig/{path+}');
  });

  it('says nothing about a position from files reached through a parameter', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/api/openapi.yaml');
    get(t, '/api/changelog.md');
    // Act
    for (const id of [101, 102, 103]) get(t, `/api/builds/${id}/log.txt`);
    // Assess
    expect(get(t, '/api/openapi.yaml')).toBe('/api/openapi.yaml');
    expect(get(t, '/api/builds/104/log.txt')).toBe('/api/builds/{buildId}/log.txt');
  });

  it('keeps one resource in two representations and the files of its sub-resources apart', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/repos/o/r/signing-key.gpg');
    get(t, '/repos/o/r/signing-key.pub');
    // Act
    get(t, '/repos/o/r/raw/main.go');
    get(t, '/repos/o/r/media/docs/guide.md');
    get(t, '/repos/o/r/contents/src/util.py');
    // Assess
    expect(get(t, '/repos/o/r/signing-key.gpg')).toBe('/repos/o/r/signing-key.gpg');
    expect(get(t, '/repos/o/r/raw/main.go')).toBe('/repos/o/r/raw/main.go');
  });
});

describe('rule: leaves beside a parameter join it only with methods it answers', () => {
  /** `/notes/{note}` formed by words with the same sub-resource, answering no GET itself yet. */
  function notes(): PathTemplater {
    const t = new PathTemplater();
    for (const w of ['alpha', 'bravo', 'charlie', 'kilo']) t.observe(HOST, 'POST', `/notes/${w}/dismiss`, 200);
    return t;
  }

  it('judges the leaves beside it again once the parameter answers their method', () => {
    // Prepare
    const t = notes();
    for (const w of ['delta', 'echo', 'foxtrot']) get(t, `/notes/${w}`);
    expect(get(t, '/notes/delta')).toBe('/notes/delta');
    // Act: a typed value gives the parameter its first GET.
    get(t, '/notes/777');
    // Assess
    expect(get(t, '/notes/delta')).toBe('/notes/{noteName}');
  });

  it('judges them again when a joining word brings the parameter their method', () => {
    // Prepare
    const t = notes();
    for (const w of ['alpha', 'bravo']) get(t, `/notes/${w}/dismiss`);
    for (const w of ['delta', 'echo', 'foxtrot']) get(t, `/notes/${w}`);
    // A value read itself and below: it joins the parameter when its position is judged next.
    get(t, '/notes/lima');
    get(t, '/notes/lima/dismiss');
    t.observe(HOST, 'POST', '/notes/lima/dismiss', 200);
    // Act: a new literal at the position has it judged.
    get(t, '/notes/zulu');
    // Assess
    expect(get(t, '/notes/lima')).toBe('/notes/{noteName}');
    expect(get(t, '/notes/delta')).toBe('/notes/{noteName}');
  });

  it('keeps a leaf written with a method no value answers (a singleton resource)', () => {
    // Prepare
    const t = notes();
    get(t, '/notes/policy');
    t.observe(HOST, 'PATCH', '/notes/policy', 200);
    for (const w of ['delta', 'echo', 'foxtrot']) get(t, `/notes/${w}`);
    // Act
    get(t, '/notes/777');
    // Assess
    expect(get(t, '/notes/delta')).toBe('/notes/{noteName}');
    expect(t.observe(HOST, 'PATCH', '/notes/policy', 200).template).toBe('/notes/policy');
  });
});

describe('rule: a plural collection name is a noun of two letters or more and an s', () => {
  it('keeps a few leaves below a two-letter word, merges them below a plural name', () => {
    // Prepare
    const t = new PathTemplater();
    const words = ['kanto', 'johto', 'hoenn', 'sinnoh', 'unova', 'kalos'];
    // Act
    for (const w of words) get(t, `/es/${w}`);
    for (const w of words) get(t, `/tags/${w}`);
    // Assess: `es` is a language code, not a collection of items.
    expect(get(t, '/es/kanto')).toBe('/es/kanto');
    expect(get(t, '/tags/kanto')).toBe('/tags/{tagName}');
  });
});

describe('rule: a word keyed by its peers counts the peers its parameter below absorbed', () => {
  it('keeps /registry/config a name when its subjects were merged below it first', () => {
    // Prepare: the subjects below config become {configName} first.
    const t = new PathTemplater();
    const subjects = Array.from({ length: 14 }, (_, i) => `subject-${String.fromCharCode(97 + i)}q`);
    for (const s of subjects) get(t, `/registry/config/${s}`);
    expect(get(t, '/registry/config/subject-new')).toBe('/registry/config/{configName}');
    // Act: the same subjects at config's own position.
    for (const s of subjects) get(t, `/registry/${s}`);
    // Assess
    expect(get(t, '/registry/subject-aq')).toBe('/registry/{registryName}');
    expect(get(t, '/registry/config/subject-new')).toBe('/registry/config/{configName}');
  });
});

describe('rule: a word requested far more than the values beside it is a name', () => {
  it('keeps popular /deploy/{status,history,logs} beside release ids, while values go on arriving', () => {
    // Prepare: three names, each an operation of its own with its own traffic.
    const t = new PathTemplater();
    for (let k = 0; k < 50; k++) get(t, '/deploy/status');
    for (let k = 0; k < 40; k++) get(t, '/deploy/history');
    for (let k = 0; k < 30; k++) get(t, '/deploy/logs');
    // Act: release ids, each requested once or twice.
    for (let i = 0; i < 30; i++) for (let k = 0; k <= i % 2; k++) get(t, `/deploy/rel-${100 + i}`);
    // Assess
    expect(get(t, '/deploy/rel-999')).toBe('/deploy/{deployName}');
    expect(get(t, '/deploy/status')).toBe('/deploy/status');
    expect(get(t, '/deploy/history')).toBe('/deploy/history');
    expect(get(t, '/deploy/logs')).toBe('/deploy/logs');
  });

  it('still merges a plain word requested like the values', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/deploy/canary');
    // Act
    for (let i = 0; i < 30; i++) get(t, `/deploy/rel-${100 + i}`);
    // Assess
    expect(get(t, '/deploy/canary')).toBe('/deploy/{deployName}');
  });
});

describe('rule: a singular word beside its plural holding values is one resource', () => {
  const OWN = ['emails', 'keys', 'starred', 'teams', 'hooks', 'settings', 'blocks', 'following', 'times', 'orgs'];

  it('keeps the sub-resources of /user static beside /users/{username}', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 30; i++) get(t, `/users/member${String.fromCharCode(97 + (i % 26))}${i}x/repos`);
    expect(get(t, '/users/alice/repos')).toBe('/users/{username}/repos');
    // Act: the caller's own sub-resources, each seen once or twice, some with a sub-path.
    for (const [i, w] of [...OWN, 'stopwatches', 'subscriptions', 'applications'].entries())
      get(t, i % 3 === 0 ? `/user/${w}/${1000 + i}` : `/user/${w}`);
    // Assess
    expect(get(t, '/user/emails')).toBe('/user/emails');
    expect(get(t, '/user/teams')).toBe('/user/teams');
  });

  it('still merges values below a singular word whose plural is only a list (/wiki/page/{name})', () => {
    // Prepare
    const t = new PathTemplater();
    for (let k = 0; k < 5; k++) get(t, '/wiki/pages');
    // Act
    for (const [i, w] of [...OWN, 'home', 'setup', 'faq'].entries())
      get(t, i % 3 === 0 ? `/wiki/page/${w}/${i}` : `/wiki/page/${w}`);
    // Assess
    expect(get(t, '/wiki/page/release-notes')).toBe('/wiki/page/{pageName}');
  });
});

describe('rule: a representation of a known value is a known value', () => {
  it('merges /Numbers/US.json once US, DE, FR and GB were merged below /Numbers', () => {
    // Prepare: the country codes become a parameter by their common sub-paths.
    const t = new PathTemplater();
    const codes = ['US', 'DE', 'FR', 'GB', 'CA'];
    for (const c of codes) for (const kind of ['Local', 'Mobile', 'TollFree']) get(t, `/Numbers/${c}/${kind}.json`);
    expect(get(t, '/Numbers/JP/Local.json')).toMatch(/^\/Numbers\/\{[^}]+\}\/Local\.json$/);
    // Act: the same codes as documents of their own, each requested 25 times (no long tail).
    for (const c of codes) for (let k = 0; k < 25; k++) get(t, `/Numbers/${c}.json`);
    // Assess
    expect(get(t, '/Numbers/US.json')).toMatch(/^\/Numbers\/\{[^}]+\}\.json$/);
  });
});
