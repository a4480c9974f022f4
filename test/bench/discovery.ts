/**
 * Discovery benchmark: synthetic traffic from ten real public specs (../shared/bench/specs, read at
 * run time), templated by the pure templater, scored against the spec; injected shadow and zombie
 * endpoints must be found by classification.
 *
 *   npx tsx test/bench/discovery.ts [--seeds 1,2,3] [--only stripe,box] [--volume 40] [--verbose]
 *
 * See docs/discovery.md for what is measured and why.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classifyEndpoints } from '../../shared/discovery/classify.js';
import { type DeclaredOperation, matchDeclared, parseDeclaredSpec } from '../../shared/discovery/declared.js';
import { versionRank } from '../../shared/discovery/segments.js';
import { matchTemplate, normalizeTemplate, templateSegments } from '../../shared/discovery/template.js';
import { PathTemplater } from '../../shared/discovery/templater.js';
import { type ApiProfile, concretePath, rng, ValueSource, zipf } from './discovery/generate.js';
import { type Keyed, score } from './discovery/score.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const specsDir = path.resolve(repoRoot, '../shared/bench/specs');

const SPECS: Array<{ name: string; file: string; profile: ApiProfile; distinct: number }> = [
  { name: 'stripe', file: 'stripe.yaml', profile: 'stripe', distinct: 318 },
  { name: 'twilio-api-v2010', file: 'twilio-api-v2010.json', profile: 'twilio', distinct: 121 },
  { name: 'box', file: 'box.json', profile: 'box', distinct: 167 },
  { name: 'digitalocean', file: 'digitalocean.yaml', profile: 'digitalocean', distinct: 445 },
  { name: 'kubernetes', file: 'kubernetes.json', profile: 'kubernetes', distinct: 562 },
  { name: 'mastodon', file: 'mastodon.json', profile: 'mastodon', distinct: 174 },
  { name: 'spotify', file: 'spotify.yaml', profile: 'spotify', distinct: 71 },
  { name: 'gitea', file: 'gitea.json', profile: 'gitea', distinct: 311 },
  { name: 'polygon', file: 'polygon.json', profile: 'polygon', distinct: 57 },
  { name: 'keycloak', file: 'keycloak.json', profile: 'keycloak', distinct: 208 },
];

interface Args {
  seeds: number[];
  only?: string[];
  volume: number;
  verbose: boolean;
  /** Writes each run's templater state to `<dump>/<spec>-<seed>.json` (for debugging a run). */
  dump?: string;
  /** Prints merge events whose target template contains this text (for debugging a run). */
  merges?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seeds: [1, 2, 3], volume: 40, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (a === '--seeds' && next) {
      args.seeds = next.split(',').map(Number);
      i++;
    } else if (a === '--only' && next) {
      args.only = next.split(',');
      i++;
    } else if (a === '--volume' && next) {
      args.volume = Number(next);
      i++;
    } else if (a === '--dump' && next) {
      args.dump = next;
      i++;
    } else if (a === '--merges' && next) {
      args.merges = next;
      i++;
    } else if (a === '--verbose') args.verbose = true;
  }
  return args;
}

interface Request {
  host: string;
  method: string;
  path: string;
  status: number;
}

interface Injected {
  host: string;
  method: string;
  template: string;
  kind: 'shadow' | 'zombie';
  why: string;
}

interface RunResult {
  name: string;
  seed: number;
  ops: number;
  requests: number;
  merges: number;
  score: ReturnType<typeof score>;
  shadows: { injected: number; found: number; missed: string[] };
  zombies: { injected: number; found: number; missed: string[] };
  falseShadows: string[];
  noiseEndpoints: number;
  ms: number;
}

/** The longest literal prefix shared by most templates (`/v1`, `/api/v1`, `/2.0`), for injected shadows. */
function commonPrefix(ops: readonly DeclaredOperation[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) {
    const segs = templateSegments(op.template);
    for (let n = 1; n <= Math.min(3, segs.length - 1); n++) {
      const head = segs.slice(0, n);
      if (head.some((s) => s.includes('{'))) break;
      const k = `/${head.join('/')}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  // The longest such prefix after which most templates go on with a literal (shadows are then
  // new names at a static position, not values at a parameter's position).
  let best = '';
  for (const [k, c] of counts) {
    if (c < ops.length * 0.5 || k.length <= best.length) continue;
    const under = ops.filter((o) => o.template.startsWith(`${k}/`));
    const paramNext = under.filter((o) => templateSegments(o.template.slice(k.length))[0]?.startsWith('{')).length;
    if (paramNext < under.length * 0.5) best = k;
  }
  return best;
}

function olderVersion(template: string): string | undefined {
  const segs = templateSegments(template);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as string;
    const rank = versionRank(s);
    if (rank === undefined) continue;
    let older: string | undefined;
    const v = /^v(\d+)$/i.exec(s);
    if (v && Number(v[1]) >= 2) older = `v${Number(v[1]) - 1}`;
    const dotted = /^(\d+)\.(\d+)$/.exec(s);
    if (dotted && Number(dotted[1]) >= 2) older = `${Number(dotted[1]) - 1}.0`;
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (date) older = `${Number(date[1]) - 2}-${date[2]}-${date[3]}`;
    if (older === undefined) return undefined;
    segs[i] = older;
    return `/${segs.join('/')}`;
  }
  return undefined;
}

function runOne(spec: (typeof SPECS)[number], text: string, seed: number, args: Args): RunResult {
  const started = Date.now();
  const declared = parseDeclaredSpec(text);
  const ops = declared.operations;
  const r = rng(seed * 7919 + spec.name.length);
  const values = new ValueSource(r);
  const defaultHost = ops.find((o) => o.host)?.host ?? `api.${spec.name}.example`;
  const hostOf = (op: DeclaredOperation) => op.host ?? defaultHost;

  // Zipf popularity over operations, in a seeded random order.
  const order = ops.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const draw = zipf(ops.length, 1.0, r);
  const total = Math.max(20_000, args.volume * ops.length);
  const requests: Request[] = [];
  const trafficByOp = new Map<DeclaredOperation, number>();
  const status = () => {
    const x = r();
    return x < 0.94 ? 200 : x < 0.96 ? 201 : x < 0.97 ? 304 : x < 0.985 ? 404 : x < 0.995 ? 401 : 500;
  };
  const emit = (op: DeclaredOperation, pathOverride?: (p: string) => string) => {
    const p = concretePath(op, spec.profile, values, spec.name);
    const st = status();
    requests.push({ host: hostOf(op), method: op.method, path: pathOverride ? pathOverride(p) : p, status: st });
    if (!pathOverride && st < 400 && ops.includes(op)) trafficByOp.set(op, (trafficByOp.get(op) ?? 0) + 1);
  };
  for (let i = 0; i < total; i++) emit(ops[order[draw()] as number] as DeclaredOperation);

  // Injected endpoints.
  const injected: Injected[] = [];
  const classDeclared: DeclaredOperation[] = ops.map((o) => ({ ...o }));
  const prefix = commonPrefix(ops);
  const shadowTemplates: Array<[string, string]> = [
    ['GET', `${prefix}/internal/debug/{id}`],
    ['POST', `${prefix}/internal/export`],
    ['GET', `${prefix}/_admin/sessions/{session}`],
    ['DELETE', `${prefix}/legacy-sync/jobs/{job}`],
  ];
  for (const [method, template] of shadowTemplates) {
    if (ops.some((o) => matchTemplate(template, o.template) !== 'none' && o.method === method)) continue;
    const fake: DeclaredOperation = {
      method,
      template,
      deprecated: false,
      parameters: [
        { name: 'id', type: 'integer' },
        { name: 'session', format: 'uuid' },
        { name: 'job', type: 'integer' },
      ],
      variants: 1,
    };
    for (let k = 0; k < 60 + Math.floor(r() * 200); k++) emit({ ...fake, host: defaultHost });
    injected.push({ host: defaultHost, method, template, kind: 'shadow', why: 'served, not declared' });
  }
  // Zombies: pick distinct operations with a parameter (realistic ids), in seeded order.
  const candidates = order
    .map((i) => ops[i] as DeclaredOperation)
    .filter((o) => /\{[^}+]+\}$/.test(o.template) || o.template.includes('{'));
  const used = new Set<DeclaredOperation>();
  const take = (pred: (o: DeclaredOperation) => boolean) => {
    const op = candidates.find((o) => !used.has(o) && pred(o));
    if (op) used.add(op);
    return op;
  };
  const boost = (op: DeclaredOperation, n: number, mapPath?: (p: string) => string) => {
    for (let k = 0; k < n; k++) emit(op, mapPath);
  };
  const specDeprecated = ops.filter((o) => o.deprecated);
  for (let z = 0; z < 2; z++) {
    const op = specDeprecated.length > 0 ? take((o) => o.deprecated) : take(() => true);
    if (!op) continue;
    const idx = ops.indexOf(op);
    (classDeclared[idx] as DeclaredOperation).deprecated = true;
    boost(op, 60);
    injected.push({
      host: hostOf(op),
      method: op.method,
      template: op.template,
      kind: 'zombie',
      why: specDeprecated.length > 0 ? 'deprecated in spec' : 'marked deprecated',
    });
  }
  for (let z = 0; z < 2; z++) {
    const op = take(() => true);
    if (!op) continue;
    classDeclared.splice(
      classDeclared.findIndex((o) => o.template === op.template && o.method === op.method && o.host === op.host),
      1,
    );
    boost(op, 60);
    injected.push({
      host: hostOf(op),
      method: op.method,
      template: op.template,
      kind: 'zombie',
      why: 'removed from current spec',
    });
  }
  for (let z = 0; z < 2; z++) {
    const op = take((o) => {
      const older = olderVersion(o.template);
      return older !== undefined && !matchDeclared(hostOf(o), o.method, older, ops);
    });
    if (op) {
      const older = olderVersion(op.template) as string;
      const from = templateSegments(op.template);
      const to = templateSegments(older);
      const i = from.findIndex((s, k) => s !== to[k]);
      boost(op, 60, (p) => {
        const segs = p.split('/');
        segs[i + 1] = to[i] as string;
        return segs.join('/');
      });
      injected.push({
        host: hostOf(op),
        method: op.method,
        template: older,
        kind: 'zombie',
        why: `older version of ${op.template}`,
      });
      continue;
    }
    // v1-only APIs: the spec moves the operation to v2 while v1 is still served.
    const v1 = take((o) => templateSegments(o.template).some((s) => /^v1$/i.test(s)));
    if (!v1) continue;
    const idx = classDeclared.findIndex(
      (o) => o.template === v1.template && o.method === v1.method && o.host === v1.host,
    );
    if (idx < 0) continue;
    (classDeclared[idx] as DeclaredOperation).template = v1.template.replace(/\/v1\//i, '/v2/');
    boost(v1, 60);
    injected.push({
      host: hostOf(v1),
      method: v1.method,
      template: v1.template,
      kind: 'zombie',
      why: 'older version: spec declares v2',
    });
  }

  // Scanner noise (never succeeds) and static assets.
  const probes = [
    '/.env',
    '/wp-login.php',
    '/.git/config',
    '/admin/config.php',
    '/phpmyadmin/index.php',
    '/server-status',
    '/actuator/env',
  ];
  for (let k = 0; k < total * 0.03; k++) {
    const p =
      r() < 0.5
        ? (probes[Math.floor(r() * probes.length)] as string)
        : `${prefix}/${Math.floor(r() * 1e9).toString(36)}/${Math.floor(r() * 1e9).toString(36)}`;
    requests.push({ host: defaultHost, method: r() < 0.8 ? 'GET' : 'POST', path: p, status: r() < 0.8 ? 404 : 403 });
  }
  for (let k = 0; k < total * 0.02; k++) {
    requests.push({
      host: defaultHost,
      method: 'GET',
      path: `/static/js/chunk.${Math.floor(r() * 1e8).toString(16)}.js`,
      status: 200,
    });
  }
  // Shuffle everything in time.
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [requests[i], requests[j]] = [requests[j] as Request, requests[i] as Request];
  }

  // Discovery: the pure templater, in-process.
  const templater = new PathTemplater();
  let merges = 0;
  for (const [n, q] of requests.entries()) {
    const events = templater.observe(q.host, q.method, q.path, q.status).merges;
    merges += events.length;
    for (const ev of events) {
      if (args.merges && ev.into.includes(args.merges))
        console.log(
          `  #${n} ${q.path}: ${ev.from.slice(0, 3).join(' ')} -> ${ev.into} ${JSON.stringify(ev.explanation)}`,
        );
    }
  }
  const endpoints = templater.endpoints();
  if (args.dump) writeFileSync(path.join(args.dump, `${spec.name}-${seed}.json`), JSON.stringify(templater.state));

  // F1 against the spec, over operations that received successful traffic.
  const truth: Keyed[] = [...trafficByOp.keys()].map((o) => ({
    host: hostOf(o),
    method: o.method,
    template: o.template,
  }));
  const isInjectedOnly = (e: Keyed) =>
    injected.some(
      (inj) =>
        inj.host === e.host &&
        inj.method === e.method &&
        matchTemplate(e.template, inj.template) !== 'none' &&
        !ops.some((o) => o.method === e.method && matchTemplate(e.template, o.template) !== 'none'),
    );
  const observed = endpoints.filter((e) => !isInjectedOnly(e));
  const s = score(truth, observed);

  // Classification.
  const classes = classifyEndpoints(
    endpoints.map((e) => ({ host: e.host, method: e.method, template: e.template, requests: e.requests })),
    { current: classDeclared, previous: [ops] },
  );
  const found = (inj: Injected) =>
    classes.some(
      (c) =>
        c.status === inj.kind &&
        c.host === inj.host &&
        c.method === inj.method &&
        matchTemplate(c.template, inj.template) !== 'none',
    );
  const shadowsInjected = injected.filter((i) => i.kind === 'shadow');
  const zombiesInjected = injected.filter((i) => i.kind === 'zombie');
  const falseShadows = classes
    .filter(
      (c) =>
        c.status === 'shadow' &&
        !shadowsInjected.some((i) => i.method === c.method && matchTemplate(c.template, i.template) !== 'none'),
    )
    .map((c) => `${c.method} ${c.template}`);
  const noiseEndpoints = endpoints.filter(
    (e) => probes.includes(e.template) || e.template.startsWith('/static/'),
  ).length;
  return {
    name: spec.name,
    seed,
    ops: ops.length,
    requests: requests.length,
    merges,
    score: s,
    shadows: {
      injected: shadowsInjected.length,
      found: shadowsInjected.filter(found).length,
      missed: shadowsInjected.filter((i) => !found(i)).map((i) => `${i.method} ${i.template}`),
    },
    zombies: {
      injected: zombiesInjected.length,
      found: zombiesInjected.filter(found).length,
      missed: zombiesInjected.filter((i) => !found(i)).map((i) => `${i.method} ${i.template} (${i.why})`),
    },
    falseShadows,
    noiseEndpoints,
    ms: Date.now() - started,
  };
}

function pct(x: number): string {
  return x.toFixed(3);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const rows: RunResult[] = [];
  console.log(
    `Discovery benchmark: specs from ${specsDir}, seeds ${args.seeds.join(',')}, volume ${args.volume} requests per operation (min 20,000)\n`,
  );
  for (const spec of SPECS) {
    if (args.only && !args.only.includes(spec.name)) continue;
    const text = readFileSync(path.join(specsDir, spec.file), 'utf8');
    const parsed = parseDeclaredSpec(text);
    const distinct = new Set(parsed.operations.map((o) => `${o.host ?? ''} ${normalizeTemplate(o.template)}`)).size;
    const distinctPaths = new Set(parsed.operations.map((o) => normalizeTemplate(o.template))).size;
    if (args.verbose)
      console.log(
        `${spec.name}: ${parsed.operations.length} operations, ${distinctPaths} distinct templates (MANIFEST: ${spec.distinct}; ${distinct} with hosts), skipped ${parsed.skipped.map((s) => s.key).join(' ') || 'none'}`,
      );
    for (const seed of args.seeds) {
      const res = runOne(spec, text, seed, args);
      rows.push(res);
      if (args.verbose) {
        console.log(`  seed ${seed}: F1 ${pct(res.score.f1)} (${res.ms} ms, ${res.merges} merges)`);
        for (const m of res.score.misses.slice(0, 400)) console.log(`    miss  ${m}`);
        for (const m of res.score.extras.slice(0, 400)) console.log(`    extra ${m}`);
        for (const m of res.falseShadows.slice(0, 10)) console.log(`    false shadow ${m}`);
        for (const m of res.shadows.missed) console.log(`    shadow missed ${m}`);
        for (const m of res.zombies.missed) console.log(`    zombie missed ${m}`);
      }
    }
  }
  console.log(
    '| spec | seed | ops | requests | truth | observed | precision | recall | F1 | over-split | over-merged | shadows found | zombies found | false shadows |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const s = r.score;
    console.log(
      `| ${r.name} | ${r.seed} | ${r.ops} | ${r.requests} | ${s.truth} | ${s.observed} | ${pct(s.precision)} | ${pct(s.recall)} | ${pct(s.f1)} | ${s.overSplit} | ${s.overMerged} | ${r.shadows.found}/${r.shadows.injected} | ${r.zombies.found}/${r.zombies.injected} | ${r.falseShadows.length} |`,
    );
  }
  const f1s = rows.map((r) => r.score.f1);
  const worst = rows.reduce((a, b) => (a.score.f1 <= b.score.f1 ? a : b), rows[0] as RunResult);
  console.log(
    `\nmean F1 ${pct(f1s.reduce((a, b) => a + b, 0) / Math.max(1, f1s.length))}, worst ${pct(worst?.score.f1 ?? 0)} (${worst?.name} seed ${worst?.seed})`,
  );
  console.log(
    `shadows ${rows.reduce((a, r) => a + r.shadows.found, 0)}/${rows.reduce((a, r) => a + r.shadows.injected, 0)}, zombies ${rows.reduce((a, r) => a + r.zombies.found, 0)}/${rows.reduce((a, r) => a + r.zombies.injected, 0)}, false shadows ${rows.reduce((a, r) => a + r.falseShadows.length, 0)}, noise endpoints ${rows.reduce((a, r) => a + r.noiseEndpoints, 0)}`,
  );
}

main();
