/**
 * The console's views as functions of data: the browser console and the HTML report render the same trees.
 * Interactive parts (sort headers, action buttons) are passed in by the browser; the report passes none.
 */
import type { EndpointDetail, EntityDetail, FindingView, Overview } from '../details.js';
import { evidenceLines, findingTypeName, formatBytes, formatNumber } from '../evidence.js';
import type { ActionRow, AuditRow, EndpointRow, EntityRow, FindingRow } from '../rows.js';
import { barList, meter, stackedBar, timeChart } from './charts.js';
import { type Child, h, type VNode } from './vnode.js';

export interface Links {
  endpoint(id: string): string | undefined;
  entity(key: string): string | undefined;
  finding(id: string): string | undefined;
}

export interface Controls {
  /** Buttons shown next to a finding (acknowledge, resolve). */
  finding?(f: FindingRow): Child;
  /** Buttons shown next to an action (unblock, extend). */
  action?(a: ActionRow): Child;
  /** Buttons shown on an entity (allowlist). */
  entity?(e: EntityRow): Child;
  /** A sortable column header. */
  sortHeader?(key: string, label: string): Child;
}

export function dateTime(t: number): string {
  if (!t) return '—';
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16);
}

export function ago(t: number, now: number): string {
  if (!t) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129_600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

const link = (href: string | undefined, text: Child, cls?: string): VNode =>
  href ? h('a', { href, class: cls }, text) : h('span', { class: cls }, text);

export function classificationBadge(c: string): VNode {
  return h('span', { class: `badge cls-${/^[a-z]+$/.test(c) ? c : 'unknown'}`, title: c }, c);
}
export function severityBadge(s: string): VNode {
  return h('span', { class: `badge sev-${/^[a-z]+$/.test(s) ? s : 'low'}` }, s);
}
export function statusBadge(s: string): VNode {
  return h('span', { class: `badge st-${/^[a-z-]+$/.test(s) ? s : 'other'}` }, s);
}
export function methodTag(m: string): VNode {
  return h('span', { class: `method m-${/^[A-Z]+$/.test(m) ? m.toLowerCase() : 'other'}` }, m);
}

function card(title: Child, ...children: Child[]): VNode {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}
function stat(label: string, value: Child, cls = ''): VNode {
  return h(
    'div',
    { class: `stat ${cls}` },
    h('div', { class: 'stat-value' }, value),
    h('div', { class: 'stat-label' }, label),
  );
}
function header(controls: Controls | undefined, key: string, label: string, cls?: string): VNode {
  return h('th', { class: cls, scope: 'col' }, controls?.sortHeader ? controls.sortHeader(key, label) : label);
}

const SEVERITY_CLS: Record<string, string> = {
  critical: 'sev-critical',
  high: 'sev-high',
  medium: 'sev-medium',
  low: 'sev-low',
};

export function overviewView(o: Overview, links: Links, options: { callersPerHour?: boolean } = {}): VNode {
  const now = o.generatedAt;
  return h(
    'div',
    { class: 'page overview' },
    h(
      'div',
      { class: 'stats' },
      stat('endpoints', formatNumber(o.totals.endpoints)),
      stat('callers', formatNumber(o.totals.entities)),
      stat('requests', formatNumber(o.totals.requests)),
      stat('open findings', formatNumber(o.totals.openFindings), o.totals.openFindings > 0 ? 'alert' : ''),
      stat('active blocks & throttles', formatNumber(o.totals.activeActions)),
    ),
    h(
      'div',
      { class: options.callersPerHour === false ? 'grid1' : 'grid2' },
      card(
        o.requestsEstimated ? 'Traffic over time (requests, estimated)' : 'Traffic over time',
        timeChart({ points: o.requests, label: 'requests' }),
        o.requestsEstimated
          ? h(
              'p',
              { class: 'hint' },
              "Estimated from each endpoint's total, shaped by its callers' hourly activity where detection has learnt it.",
            )
          : null,
      ),
      options.callersPerHour === false
        ? null
        : card(
            'Active callers per hour',
            timeChart({ points: o.traffic, label: 'callers (summed over endpoints)', columns: o.traffic.length < 12 }),
          ),
    ),
    h(
      'div',
      { class: 'grid3' },
      card(
        'Endpoints by classification',
        barList(
          o.byClassification.map((c) => ({
            label: c.classification,
            value: c.count,
            cls: `cls-${c.classification}`,
            href: `#/inventory?classification=${encodeURIComponent(c.classification)}`,
          })),
        ),
      ),
      card(
        'Open findings by severity',
        barList(
          o.openBySeverity.map((s) => ({
            label: s.severity,
            value: s.count,
            cls: SEVERITY_CLS[s.severity] ?? '',
            href: `#/findings?status=open&severity=${s.severity}`,
          })),
        ),
      ),
      card(
        'Active blocks and throttles',
        o.activeByKind.length === 0
          ? h('p', { class: 'empty' }, 'Nothing is blocked or throttled.')
          : barList(o.activeByKind.map((a) => ({ label: a.kind, value: a.count, cls: 'act' }))),
        o.activeActions.length > 0 ? actionsTable(o.activeActions, now, undefined, true) : null,
      ),
    ),
    h(
      'div',
      { class: 'grid2' },
      card('Riskiest callers', entityTable(o.topEntities, now, links, undefined, true)),
      card(
        'Latest open findings',
        o.recentFindings.length === 0
          ? h('p', { class: 'empty' }, 'No open findings.')
          : findingTable(o.recentFindings, now, links),
      ),
    ),
  );
}

export function endpointTable(rows: readonly EndpointRow[], now: number, links: Links, controls?: Controls): VNode {
  return h(
    'table',
    { class: 'data inventory' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        header(controls, 'host', 'Host'),
        header(controls, 'method', 'Method'),
        header(controls, 'path', 'Endpoint'),
        header(controls, 'classification', 'Class'),
        header(controls, 'requests', 'Requests', 'num'),
        header(controls, 'authShare', 'Authenticated'),
        header(controls, 'errorRate', 'Errors'),
        h('th', { scope: 'col' }, 'Flags'),
        header(controls, 'lastSeen', 'Last seen'),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0 ? h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No endpoints match.')) : null,
      rows.map((r) =>
        h(
          'tr',
          {
            class:
              r.classification === 'shadow' || r.classification === 'zombie'
                ? `standout row-${r.classification}`
                : undefined,
            'data-endpoint': r.id,
          },
          h('td', { class: 'host' }, r.host),
          h('td', {}, methodTag(r.method)),
          // A declared endpoint nobody called has no page of its own.
          h('td', { class: 'path' }, r.requests > 0 ? link(links.endpoint(r.id), r.path) : r.path),
          h('td', {}, classificationBadge(r.classification)),
          h('td', { class: 'num' }, formatNumber(r.requests)),
          h('td', {}, meter(r.authShare, 'ok')),
          h('td', {}, meter(r.errorRate, r.errorRate > 0.2 ? 'bad' : 'warn')),
          h(
            'td',
            { class: 'flags' },
            r.unauthenticated ? h('span', { class: 'flag flag-unauth' }, 'no auth') : null,
            r.sensitive.map((s) => h('span', { class: 'flag flag-sensitive' }, s)),
          ),
          h('td', { class: 'when', title: dateTime(r.lastSeen) }, ago(r.lastSeen, now)),
        ),
      ),
    ),
  );
}

export function entityTable(
  rows: readonly EntityRow[],
  now: number,
  links: Links,
  controls?: Controls,
  compact = false,
): VNode {
  return h(
    'table',
    { class: 'data entities' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        header(controls, 'risk', 'Risk', 'num'),
        header(controls, 'name', 'Caller'),
        compact ? null : h('th', { scope: 'col' }, 'User agent'),
        header(controls, 'requests', 'Requests', 'num'),
        compact ? null : header(controls, 'errorRate', 'Errors'),
        h('th', { scope: 'col', class: 'num' }, 'Findings'),
        header(controls, 'lastSeen', 'Last seen'),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0 ? h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No callers match.')) : null,
      rows.map((r) =>
        h(
          'tr',
          { 'data-entity': r.id },
          h(
            'td',
            { class: 'num' },
            h(
              'span',
              { class: `risk ${r.risk >= 70 ? 'risk-high' : r.risk >= 30 ? 'risk-mid' : 'risk-low'}` },
              String(r.risk),
            ),
          ),
          h('td', { class: 'caller' }, h('span', { class: 'etype' }, r.type), ' ', link(links.entity(r.id), r.name)),
          compact ? null : h('td', { class: 'ua', title: r.userAgent }, r.userAgent || '—'),
          h('td', { class: 'num' }, formatNumber(r.requests)),
          compact ? null : h('td', {}, meter(r.errorRate, r.errorRate > 0.5 ? 'bad' : 'warn')),
          h('td', { class: 'num' }, r.openFindings > 0 ? String(r.openFindings) : '—'),
          h('td', { class: 'when', title: dateTime(r.lastSeen) }, ago(r.lastSeen, now)),
        ),
      ),
    ),
  );
}

export function findingTable(rows: readonly FindingRow[], now: number, links: Links, controls?: Controls): VNode {
  return h(
    'table',
    { class: 'data findings' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        header(controls, 'severity', 'Severity'),
        header(controls, 'type', 'Finding'),
        h('th', { scope: 'col' }, 'Caller'),
        h('th', { scope: 'col' }, 'Endpoint'),
        h('th', { scope: 'col' }, 'Status'),
        header(controls, 'lastSeen', 'Last seen'),
        controls?.finding ? h('th', { scope: 'col' }, '') : null,
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((f) =>
        h(
          'tr',
          { 'data-finding': f.id },
          h('td', {}, severityBadge(f.severity)),
          h('td', {}, link(links.finding(f.id), findingTypeName(f.type))),
          h('td', { class: 'caller' }, link(links.entity(f.entity), f.entity)),
          h('td', { class: 'path' }, f.endpoint ? [methodTag(f.endpoint.method), ' ', f.endpoint.path] : '—'),
          h('td', {}, statusBadge(f.status)),
          h('td', { class: 'when', title: dateTime(f.lastSeen) }, ago(f.lastSeen, now)),
          controls?.finding ? h('td', { class: 'buttons' }, controls.finding(f)) : null,
        ),
      ),
    ),
  );
}

/** One finding with its evidence in plain words. */
export function findingCard(
  f: FindingRow & { evidence?: unknown },
  now: number,
  links: Links,
  controls?: Controls,
): VNode {
  const lines = Array.isArray(f.evidence) ? (f as FindingView).evidence : evidenceLines(f.evidence);
  return h(
    'article',
    { class: 'finding', 'data-finding': f.id },
    h(
      'header',
      {},
      severityBadge(f.severity),
      h('h3', {}, link(links.finding(f.id), findingTypeName(f.type))),
      statusBadge(f.status),
      h('span', { class: 'confidence' }, `confidence ${Math.round(f.confidence * 100)} %`),
    ),
    h('p', { class: 'summary' }, f.summary),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Caller'),
      h('dd', {}, link(links.entity(f.entity), f.entity)),
      f.endpoint
        ? [
            h('dt', {}, 'Endpoint'),
            h('dd', { class: 'path' }, methodTag(f.endpoint.method), ' ', f.endpoint.host, f.endpoint.path),
          ]
        : null,
      h('dt', {}, 'Seen'),
      h('dd', {}, `${dateTime(f.firstSeen)} → ${dateTime(f.lastSeen)} (${ago(f.lastSeen, now)})`),
    ),
    lines.length > 0
      ? h(
          'ul',
          { class: 'evidence' },
          lines.map((l) => h('li', { class: l.over ? 'over' : undefined }, l.text)),
        )
      : null,
    controls?.finding ? h('div', { class: 'buttons' }, controls.finding(f)) : null,
  );
}

export function actionsTable(rows: readonly ActionRow[], now: number, controls?: Controls, compact = false): VNode {
  return h(
    'table',
    { class: 'data actions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Action'),
        h('th', { scope: 'col' }, 'Target'),
        compact ? null : h('th', { scope: 'col' }, 'Status'),
        compact ? null : h('th', { scope: 'col' }, 'Why'),
        h('th', { scope: 'col' }, 'Expires'),
        controls?.action ? h('th', { scope: 'col' }, '') : null,
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0 ? h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No actions.')) : null,
      rows.map((a) =>
        h(
          'tr',
          { 'data-action': a.id },
          h(
            'td',
            {},
            h('span', { class: `badge act-${/^[a-z-]+$/.test(a.kind) ? a.kind : 'other'}` }, a.kind),
            a.mode === 'monitor' ? h('span', { class: 'flag' }, 'monitor only') : null,
          ),
          h('td', { class: 'caller' }, a.target),
          compact ? null : h('td', {}, statusBadge(a.active ? 'active' : a.status)),
          compact ? null : h('td', { class: 'why' }, a.reason || a.findingId || '—'),
          h(
            'td',
            { class: 'when' },
            !a.active ? '—' : a.expiresAt ? `in ${ago(now - (a.expiresAt - now), now).replace(' ago', '')}` : 'never',
          ),
          controls?.action ? h('td', { class: 'buttons' }, controls.action(a)) : null,
        ),
      ),
    ),
  );
}

export function auditTable(rows: readonly AuditRow[]): VNode {
  return h(
    'table',
    { class: 'data audit' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'When'),
        h('th', { scope: 'col' }, 'Who'),
        h('th', { scope: 'col' }, 'What'),
        h('th', { scope: 'col' }, 'Target'),
        h('th', { scope: 'col' }, 'Detail'),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0 ? h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'The audit trail is empty.')) : null,
      rows.map((a) =>
        h(
          'tr',
          { 'data-audit': a.id },
          h('td', { class: 'when' }, dateTime(a.time)),
          h('td', {}, a.actor),
          h('td', {}, h('strong', {}, a.action)),
          h('td', { class: 'caller' }, a.target),
          h('td', {}, a.detail),
        ),
      ),
    ),
  );
}

const STATUS_PARTS: Array<[string, string]> = [
  ['2xx', 'st2'],
  ['3xx', 'st3'],
  ['4xx', 'st4'],
  ['5xx', 'st5'],
  ['0xx', 'st0'],
  ['1xx', 'st1'],
];

export function endpointDetailView(d: EndpointDetail, now: number, links: Links, controls?: Controls): VNode {
  const e = d.endpoint;
  const hourlyCallers = d.hourly.map((p) => ({ t: p.hour, value: p.callers }));
  return h(
    'div',
    { class: 'page detail' },
    h(
      'div',
      { class: 'detail-head' },
      methodTag(e.method),
      h('h1', { class: 'path' }, e.path),
      classificationBadge(e.classification),
      h('span', { class: 'host' }, e.host),
    ),
    d.declaredTemplate
      ? h('p', { class: 'hint' }, `Declared as ${d.declaredTemplate}${d.zombieReason ? ` (${d.zombieReason})` : ''}.`)
      : null,
    h(
      'div',
      { class: 'stats' },
      stat('requests', formatNumber(e.requests)),
      stat('authenticated', `${Math.round(e.authShare * 100)} %`),
      stat('errors', `${Math.round(e.errorRate * 100)} %`),
      stat(
        'latency p50 / p99',
        d.latencyMs.p50 !== undefined
          ? `${formatNumber(d.latencyMs.p50)} / ${formatNumber(d.latencyMs.p99 ?? 0)} ms`
          : '—',
      ),
      stat('response p50', d.bytesOut.p50 !== undefined ? formatBytes(d.bytesOut.p50) : '—'),
    ),
    h(
      'div',
      { class: 'grid2' },
      card(
        'Traffic against its baseline',
        timeChart({
          points: hourlyCallers,
          baseline: d.baselineCallers,
          label: 'callers per hour',
          baselineLabel: 'usual (median hour)',
          columns: hourlyCallers.length < 12,
        }),
        d.hourly.length > 0
          ? h(
              'p',
              { class: 'hint' },
              `A typical caller's busiest 10 minutes: ${formatNumber(d.hourly.at(-1)?.p50 ?? 0)} requests; the busiest callers': ${formatNumber(d.hourly.at(-1)?.p90 ?? 0)} (latest hour).`,
            )
          : h('p', { class: 'hint' }, 'Detection has not learnt a baseline for this endpoint yet.'),
        d.rateLimit
          ? h(
              'p',
              { class: 'recommendation' },
              h(
                'strong',
                {},
                `Suggested rate limit: ${formatNumber(d.rateLimit.limit)} requests per caller per 10 minutes`,
              ),
              ` (confidence ${Math.round(d.rateLimit.confidence * 100)} %). `,
              d.rateLimit.basis,
            )
          : null,
      ),
      card(
        'Status mix',
        stackedBar(STATUS_PARTS.map(([k, cls]) => ({ label: k, value: e.statusCounts[k] ?? 0, cls }))),
        Object.keys(d.statuses).length > 0
          ? h(
              'p',
              { class: 'hint' },
              Object.entries(d.statuses)
                .map(([s, n]) => `${s}: ${formatNumber(n)}`)
                .join(' · '),
            )
          : null,
        h('h3', {}, 'Flags'),
        e.unauthenticated || e.sensitive.length > 0
          ? h(
              'p',
              { class: 'flags' },
              e.unauthenticated ? h('span', { class: 'flag flag-unauth' }, 'answers without credentials') : null,
              e.sensitive.map((s) => h('span', { class: 'flag flag-sensitive' }, `${s} in URL`)),
            )
          : h('p', { class: 'empty' }, 'No sensitive data seen in URLs.'),
      ),
    ),
    h(
      'div',
      { class: 'grid2' },
      card(
        'Parameters',
        d.parameters.length === 0
          ? h('p', { class: 'empty' }, 'No parameters.')
          : h(
              'table',
              { class: 'data' },
              h(
                'tbody',
                {},
                d.parameters.map((p) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'path' }, `{${p.name}}`),
                    h('td', {}, p.kind),
                    h('td', { class: 'ua' }, p.example ?? ''),
                  ),
                ),
              ),
            ),
      ),
      card(
        'Top callers',
        d.topCallers.length === 0
          ? h('p', { class: 'empty' }, 'No identified callers.')
          : barList(d.topCallers.map((c) => ({ label: c.entity, value: c.requests, href: links.entity(c.entity) }))),
      ),
    ),
    card(
      `Findings (${d.findings.length})`,
      d.findings.length === 0
        ? h('p', { class: 'empty' }, 'No findings on this endpoint.')
        : findingTable(d.findings, now, links, controls),
    ),
  );
}

export function entityDetailView(d: EntityDetail, now: number, links: Links, controls?: Controls): VNode {
  const e = d.entity;
  return h(
    'div',
    { class: 'page detail' },
    h(
      'div',
      { class: 'detail-head' },
      h('span', { class: 'etype' }, e.type),
      h('h1', { class: 'caller' }, e.name),
      h(
        'span',
        { class: `risk ${e.risk >= 70 ? 'risk-high' : e.risk >= 30 ? 'risk-mid' : 'risk-low'}` },
        `risk ${e.risk}`,
      ),
      controls?.entity ? h('span', { class: 'buttons' }, controls.entity(e)) : null,
    ),
    h(
      'div',
      { class: 'stats' },
      stat('requests', formatNumber(e.requests)),
      stat('errors', `${Math.round(e.errorRate * 100)} %`),
      stat('first seen', dateTime(e.firstSeen)),
      stat('last seen', ago(e.lastSeen, now)),
      stat('open findings', String(e.openFindings), e.openFindings > 0 ? 'alert' : ''),
    ),
    h(
      'div',
      { class: 'grid2' },
      card(
        'Timeline against its own baseline',
        timeChart({
          points: d.timeline.map((p) => ({ t: p.t, value: p.requests })),
          baseline: d.ownPeak > 0 ? d.ownPeak : undefined,
          label: 'requests per 10 minutes',
          baselineLabel: 'its own earlier peak',
          columns: true,
        }),
        h(
          'ol',
          { class: 'events' },
          d.events.map((ev) => h('li', {}, h('span', { class: 'when' }, dateTime(ev.t)), ' ', ev.what)),
        ),
      ),
      card(
        'Identity',
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Addresses'),
          h(
            'dd',
            {},
            d.links.ips.length > 0
              ? d.links.ips.map((ip) => h('span', { class: 'chip' }, link(links.entity(`ip:${ip}`), ip)))
              : '—',
          ),
          h('dt', {}, 'API keys'),
          h(
            'dd',
            {},
            d.links.apiKeys.length > 0
              ? d.links.apiKeys.map((k) => h('span', { class: 'chip' }, link(links.entity(`api-key:${k}`), k)))
              : '—',
          ),
          h('dt', {}, 'Principals'),
          h(
            'dd',
            {},
            d.links.principals.length > 0
              ? d.links.principals.map((p) => h('span', { class: 'chip' }, link(links.entity(`principal:${p}`), p)))
              : '—',
          ),
          h('dt', {}, 'User agents'),
          h(
            'dd',
            {},
            d.userAgents.length > 0
              ? h(
                  'ul',
                  { class: 'plain' },
                  d.userAgents.map((ua) => h('li', { class: 'ua' }, ua)),
                )
              : '—',
          ),
          d.countries.length > 0 ? [h('dt', {}, 'Countries (last hour)'), h('dd', {}, d.countries.join(', '))] : null,
          d.asns.length > 0 ? [h('dt', {}, 'Networks (last hour)'), h('dd', {}, d.asns.join(', '))] : null,
        ),
      ),
    ),
    card(
      'Endpoints touched',
      d.endpoints.length === 0
        ? h('p', { class: 'empty' }, 'No per-endpoint history yet.')
        : h(
            'table',
            { class: 'data' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Endpoint'),
                h('th', { class: 'num' }, 'Requests'),
                h('th', { class: 'num' }, 'Last 10 min'),
                h('th', { class: 'num' }, 'Own peak'),
                h('th', { class: 'num' }, 'Refused'),
                h('th', { class: 'num' }, 'Not found'),
                h('th', {}, 'Last seen'),
              ),
            ),
            h(
              'tbody',
              {},
              d.endpoints.map((u) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'path' }, link(links.endpoint(u.endpoint), u.endpoint)),
                  h('td', { class: 'num' }, formatNumber(u.requests)),
                  h(
                    'td',
                    { class: `num ${u.ownPeak > 0 && u.latestWindow > 3 * u.ownPeak ? 'over' : ''}` },
                    formatNumber(u.latestWindow),
                  ),
                  h('td', { class: 'num' }, u.ownPeak > 0 ? formatNumber(u.ownPeak) : '—'),
                  h('td', { class: 'num' }, formatNumber(u.denied)),
                  h('td', { class: 'num' }, formatNumber(u.notFound)),
                  h('td', { class: 'when' }, ago(u.lastSeen, now)),
                ),
              ),
            ),
          ),
    ),
    card(
      `Findings (${d.findings.length})`,
      d.findings.length === 0
        ? h('p', { class: 'empty' }, 'No findings on this caller.')
        : d.findings.map((f) => findingCard(f, now, links, controls)),
    ),
    h(
      'div',
      { class: 'grid2' },
      card('Actions', actionsTable(d.actions, now, controls)),
      card('Audit trail', auditTable(d.audit)),
    ),
  );
}
