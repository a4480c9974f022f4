/**
 * `lantern analyze --html FILE`: the console's views as one self-contained HTML file, for a user who analysed logs
 * offline and wants to share what Lantern found. No server, no external asset: the stylesheet and a few lines of
 * script (table filters) are inline and pinned by hash in the page's Content-Security-Policy, so nothing else can
 * run even if a value slipped through. Every value from the logs is escaped by the view renderer.
 */
import { createHash } from 'node:crypto';
import type { Report, ReportEndpoint, ReportEntity, ReportFinding } from '../engine/report.js';
import { summarize } from './details.js';
import { evidenceLines, formatNumber } from './evidence.js';
import type { EndpointRow, EntityRow, FindingRow } from './rows.js';
import { endpointTable, entityTable, findingCard, type Links, overviewView } from './view/pages.js';
import { CONSOLE_CSS } from './view/styles.js';
import { type Child, h, renderToString } from './view/vnode.js';

export interface HtmlReportOptions {
  /** Page title. Default `Lantern report`. */
  title?: string;
  /** "Now" for relative times. Default: the end of the analysed period, else the current time. */
  now?: number;
  /** Callers listed (highest risk first). Default 500. */
  maxEntities?: number;
}

const FILTER_SCRIPT = `document.querySelectorAll('input[data-filter]').forEach(function (input) {
  var table = document.getElementById(input.getAttribute('data-filter'));
  if (!table) return;
  input.addEventListener('input', function () {
    var needle = input.value.toLowerCase();
    table.querySelectorAll('tbody tr').forEach(function (row) {
      row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
    });
  });
});`;

const REPORT_CSS = `${CONSOLE_CSS}
.report-nav { position: sticky; top: 0; z-index: 5; display: flex; flex-direction: row; gap: 4px; padding: 8px 28px; border-right: 0; background: #fff; border-bottom: 1px solid var(--line); }
.report-nav a { padding: 6px 12px; border-radius: 6px; color: var(--ink); font-weight: 500; }
.report-nav a:hover { background: var(--bg); text-decoration: none; }
.report main { max-width: 1440px; margin: 0 auto; }
.report .top .brand { color: #fff; }
.report section.part { scroll-margin-top: 60px; margin-bottom: 28px; }
.report .part > h1 { margin: 8px 0 14px; }
.report .filter { margin-bottom: 10px; }
@media print { .report-nav, .report .filter { display: none; } }`;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

const time = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
};

function endpointRowOf(e: ReportEndpoint): EndpointRow {
  const statusCounts = e.statusCounts ?? {};
  const errors = (statusCounts['4xx'] ?? 0) + (statusCounts['5xx'] ?? 0);
  const ok = (statusCounts['2xx'] ?? 0) + (statusCounts['3xx'] ?? 0);
  const flags = (e as Partial<ReportEndpoint>).flags;
  return {
    id: `${e.host} ${e.method} ${e.path}`,
    host: e.host,
    method: e.method,
    path: e.path,
    classification: e.classification ?? 'unknown',
    requests: e.requests,
    firstSeen: time(e.firstSeen),
    lastSeen: time(e.lastSeen),
    statusCounts,
    authShare: e.authenticatedShare ?? 0,
    errorRate: e.requests > 0 ? errors / e.requests : 0,
    sensitive: [...(flags?.sensitiveData ?? [])],
    unauthenticated: flags?.unauthenticated === true,
    // Declared-but-unused endpoints have no traffic; they are listed, not hidden as probes.
    probe: ok === 0 && e.classification !== 'unused' && e.requests > 0,
    ...(e.latencyMs?.p50 !== undefined ? { latencyP50: e.latencyMs.p50 } : {}),
    ...(e.latencyMs?.p99 !== undefined ? { latencyP99: e.latencyMs.p99 } : {}),
  };
}

function entityRowOf(e: ReportEntity, openFindings: Map<string, number>): EntityRow {
  let errors = 0;
  for (const [status, n] of Object.entries(e.statusCounts ?? {})) if (Number(status) >= 400) errors += n;
  const key = `${e.type}:${e.id}`;
  return {
    id: key,
    type: e.type,
    name: e.id,
    requests: e.requests,
    risk: e.risk,
    firstSeen: time(e.firstSeen),
    lastSeen: time(e.lastSeen),
    errorRate: e.requests > 0 ? errors / e.requests : 0,
    openFindings: openFindings.get(key) ?? 0,
    ips: e.links?.ips.length ?? 0,
    apiKeys: e.links?.apiKeys.length ?? 0,
    userAgent: '',
  };
}

function findingRowOf(f: ReportFinding): FindingRow & { evidence: ReturnType<typeof evidenceLines> } {
  return {
    id: f.id,
    type: f.type,
    severity: f.severity,
    confidence: f.confidence,
    status: f.status ?? 'open',
    entity: `${f.entity.type}:${f.entity.id}`,
    ...(f.endpoint ? { endpoint: { host: f.endpoint.host, method: f.endpoint.method, path: f.endpoint.path } } : {}),
    firstSeen: time(f.firstSeen),
    lastSeen: time(f.lastSeen),
    summary: f.summary,
    revision: f.revision ?? 1,
    evidence: evidenceLines(f.evidence),
  };
}

const NO_LINKS: Links = { endpoint: () => undefined, entity: () => undefined, finding: () => undefined };

function part(id: string, title: string, ...children: Child[]): Child {
  return h('section', { class: 'part', id }, h('h1', {}, title), ...children);
}

function filter(tableId: string, placeholder: string): Child {
  return h(
    'div',
    { class: 'filter' },
    h('input', { type: 'search', class: 'search', 'data-filter': tableId, placeholder, 'aria-label': placeholder }),
  );
}

function withId(node: ReturnType<typeof endpointTable>, id: string): ReturnType<typeof endpointTable> {
  return { ...node, attrs: { ...node.attrs, id } };
}

/** The whole report as one HTML document (UTF-8). */
export function renderHtmlReport(report: Report, options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'Lantern report';
  const now = options.now ?? (time(report.summary.to) || Date.now());
  const findings = report.findings.map(findingRowOf);
  const openByEntity = new Map<string, number>();
  for (const f of findings) if (f.status === 'open') openByEntity.set(f.entity, (openByEntity.get(f.entity) ?? 0) + 1);
  const endpointRows = report.endpoints.map(endpointRowOf);
  const entityRows = report.entities
    .map((e) => entityRowOf(e, openByEntity))
    .sort((a, b) => b.risk - a.risk || b.requests - a.requests)
    .slice(0, options.maxEntities ?? 500);
  const overview = summarize({
    endpointRows,
    entityRows,
    findingRows: findings,
    actionRows: [],
    now,
    entityCount: report.summary.entities,
    analysed: {
      records: report.summary.records,
      analysed: report.summary.analysed,
      rejected: report.summary.rejected,
      ...(report.summary.from ? { from: time(report.summary.from) } : {}),
      ...(report.summary.to ? { to: time(report.summary.to) } : {}),
    },
  });
  const at = overview.generatedAt;
  const listed = endpointRows.filter((r) => !r.probe);
  const rejections = Object.entries(report.rejections?.byReason ?? {});
  const probes = report.probes ?? [];

  const body = h(
    'div',
    { class: 'page-body' },
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'Lantern'),
      h('span', { class: 'tagline' }, title),
      h(
        'span',
        { class: 'who' },
        report.summary.from && report.summary.to
          ? `${report.summary.from.slice(0, 16).replace('T', ' ')} → ${report.summary.to.slice(0, 16).replace('T', ' ')} UTC`
          : '',
      ),
    ),
    h(
      'nav',
      { class: 'report-nav', 'aria-label': 'Sections' },
      h('a', { href: '#overview' }, 'Overview'),
      h('a', { href: '#inventory' }, `Inventory (${listed.length})`),
      h('a', { href: '#callers' }, 'Callers'),
      h('a', { href: '#findings' }, `Findings (${findings.length})`),
      h('a', { href: '#input' }, 'Input'),
    ),
    h(
      'main',
      {},
      part('overview', 'Overview', overviewView(overview, NO_LINKS, { callersPerHour: false })),
      part(
        'inventory',
        'Inventory',
        filter('inventory-table', 'Filter endpoints'),
        h('section', { class: 'card flush' }, withId(endpointTable(listed, at, NO_LINKS), 'inventory-table')),
      ),
      part(
        'callers',
        'Callers',
        h(
          'p',
          { class: 'hint' },
          `${formatNumber(report.summary.entities)} callers; ${entityRows.length === report.summary.entities ? 'all listed' : `the ${entityRows.length} riskiest listed`}, by risk.`,
        ),
        filter('callers-table', 'Filter callers'),
        h('section', { class: 'card flush' }, withId(entityTable(entityRows, at, NO_LINKS), 'callers-table')),
      ),
      part(
        'findings',
        'Findings',
        findings.length === 0
          ? h('p', { class: 'empty' }, 'No findings.')
          : findings.map((f) => findingCard(f, at, NO_LINKS)),
      ),
      part(
        'input',
        'Input',
        h(
          'section',
          { class: 'card' },
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Records read'),
            h('dd', {}, formatNumber(report.summary.records)),
            h('dt', {}, 'Analysed'),
            h('dd', {}, formatNumber(report.summary.analysed)),
            h('dt', {}, 'Rejected'),
            h(
              'dd',
              {},
              rejections.length > 0
                ? rejections.map(([reason, n]) => `${reason}: ${formatNumber(n ?? 0)}`).join(' · ')
                : '0',
            ),
            h('dt', {}, 'Probes'),
            h(
              'dd',
              {},
              `${formatNumber(report.summary.probeRequests)} requests to paths that never answered successfully`,
            ),
          ),
          probes.length > 0
            ? h(
                'table',
                { class: 'data' },
                h(
                  'thead',
                  {},
                  h('tr', {}, h('th', {}, 'Most probed'), h('th', {}, 'Host'), h('th', { class: 'num' }, 'Requests')),
                ),
                h(
                  'tbody',
                  {},
                  probes
                    .slice(0, 20)
                    .map((p) =>
                      h(
                        'tr',
                        {},
                        h('td', { class: 'path' }, p.path),
                        h('td', { class: 'host' }, p.host),
                        h('td', { class: 'num' }, formatNumber(p.requests)),
                      ),
                    ),
                ),
              )
            : null,
        ),
      ),
    ),
  );

  const csp = [
    "default-src 'none'",
    `style-src 'sha256-${sha256(REPORT_CSS)}'`,
    `script-src 'sha256-${sha256(FILTER_SCRIPT)}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${renderToString(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body class="report">',
    renderToString(body),
    `<script>${FILTER_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
