/**
 * Inventory exports: CSV for spreadsheets and OpenAPI 3.1 for API tooling.
 *
 * CSV cells from logs are attacker-controlled: a path beginning with `=`, `+`, `-`, `@`, tab or CR would run as a
 * formula in a spreadsheet, so such a cell is prefixed with `'` (OWASP CSV injection), and every cell is quoted.
 */
import type { EndpointRow } from './rows.js';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean): string {
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export const CSV_COLUMNS = [
  'host',
  'method',
  'path',
  'classification',
  'requests',
  'first_seen',
  'last_seen',
  'auth_share',
  'error_rate',
  'sensitive_data',
  'unauthenticated',
] as const;

export function endpointsCsv(rows: readonly EndpointRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        csvCell(r.host),
        csvCell(r.method),
        csvCell(r.path),
        csvCell(r.classification),
        csvCell(r.requests),
        csvCell(new Date(r.firstSeen).toISOString()),
        csvCell(new Date(r.lastSeen).toISOString()),
        csvCell(Math.round(r.authShare * 1000) / 1000),
        csvCell(Math.round(r.errorRate * 1000) / 1000),
        csvCell(r.sensitive.join(' ')),
        csvCell(r.unauthenticated),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

interface OpenApiOperation {
  operationId: string;
  summary: string;
  parameters?: Array<{ name: string; in: 'path'; required: true; schema: { type: 'string' } }>;
  responses: Record<string, { description: string }>;
  'x-lantern': {
    classification: string;
    requests: number;
    firstSeen: string;
    lastSeen: string;
    authenticatedShare: number;
    sensitiveData?: string[];
  };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * An OpenAPI 3.1 document of the observed inventory (one server per host). Templates become paths as they are;
 * `{name+}` (greedy) becomes `{name}`. Methods OpenAPI has no slot for are left out and counted in `x-lantern`.
 */
export function endpointsOpenApi(
  rows: readonly EndpointRow[],
  title = 'Observed API (Lantern)',
): Record<string, unknown> {
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const hosts = new Set<string>();
  let skipped = 0;
  for (const r of rows) {
    const method = r.method.toLowerCase();
    if (!HTTP_METHODS.has(method)) {
      skipped++;
      continue;
    }
    if (r.host) hosts.add(r.host);
    const path = r.path.replace(/\{([^}]+?)\+\}/g, '{$1}');
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    const operations = paths[path] ?? {};
    paths[path] = operations;
    if (operations[method]) continue;
    const statuses = Object.keys(r.statusCounts).filter((s) => /^[1-5]xx$/.test(s));
    operations[method] = {
      operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: `${r.method} ${path} (${r.classification})`,
      ...(names.length > 0
        ? {
            parameters: names.map((name) => ({
              name,
              in: 'path' as const,
              required: true as const,
              schema: { type: 'string' as const },
            })),
          }
        : {}),
      responses: Object.fromEntries(
        (statuses.length > 0 ? statuses : ['default']).map((s) => [
          s === 'default' ? 'default' : s.toUpperCase(),
          { description: `Observed ${s}` },
        ]),
      ),
      'x-lantern': {
        classification: r.classification,
        requests: r.requests,
        firstSeen: new Date(r.firstSeen).toISOString(),
        lastSeen: new Date(r.lastSeen).toISOString(),
        authenticatedShare: Math.round(r.authShare * 1000) / 1000,
        ...(r.sensitive.length > 0 ? { sensitiveData: r.sensitive } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title,
      version: new Date().toISOString().slice(0, 10),
      description: 'Endpoints Lantern observed in traffic.',
    },
    servers: [...hosts].sort().map((h) => ({ url: `https://${h}` })),
    paths,
    ...(skipped > 0 ? { 'x-lantern-skipped-methods': skipped } : {}),
  };
}
