/**
 * Inventory exports: CSV for spreadsheets and an OpenAPI skeleton for API tooling.
 *
 * CSV cells from logs are attacker-controlled: a path beginning with `=`, `+`, `-`, `@`, tab or CR would run as a
 * formula in a spreadsheet, so such a cell is prefixed with `'` (OWASP CSV injection), and every cell is quoted.
 */
import { exportOpenApi } from '../discovery/openapi-export.js';
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

/** The OpenAPI skeleton of the rows shown, made by discovery's exporter (the one `lantern inventory` uses). */
export function endpointsOpenApi(
  rows: readonly EndpointRow[],
  title = 'Observed API (Lantern)',
): Record<string, unknown> {
  return exportOpenApi(
    rows.map((r) => ({
      host: r.host,
      method: r.method,
      template: r.path,
      requests: r.requests,
      statusCounts: r.statusCounts,
      status: r.classification,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      authenticatedShare: r.authShare,
      sensitiveData: r.sensitive,
    })),
    { title },
  );
}
