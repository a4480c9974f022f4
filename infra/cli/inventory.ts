import { writeFile } from 'node:fs/promises';
import { endpointsCsv } from '../../shared/console/export.js';
import { endpointRow } from '../../shared/console/rows.js';
import { exportOpenApi } from '../../shared/discovery/openapi-export.js';
import type { Report } from '../../shared/engine/report.js';
import { analyzeCommandLine, parseAnalyzeArgs } from './analyze.js';
import { printable, table } from './summary.js';
import { EXIT, UsageError } from './usage.js';

const OUTPUTS = ['table', 'json', 'csv', 'openapi'] as const;
type Output = (typeof OUTPUTS)[number];

/**
 * `lantern inventory`: the endpoint inventory of the given logs, as a table, JSON, CSV, or an OpenAPI 3 skeleton
 * of the observed API (to diff against the spec you publish). Takes every option of `analyze`.
 */
export async function runInventory(argv: string[]): Promise<number> {
  const options = parseAnalyzeArgs(argv, { output: { type: 'string', default: 'table' } });
  const output = String(options.extra.output) as Output;
  if (!OUTPUTS.includes(output)) throw new UsageError(`unknown --output ${output}: use ${OUTPUTS.join(', ')}`);
  const outcome = await analyzeCommandLine(options);
  if (typeof outcome === 'number') return outcome;
  const text = renderInventory(outcome.report, output);
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  return EXIT.ok;
}

export function renderInventory(report: Report, output: Output): string {
  const endpoints = report.endpoints;
  switch (output) {
    case 'json':
      return `${JSON.stringify(endpoints, null, 2)}\n`;
    case 'csv':
      return endpointsCsv(
        endpoints.map((e) =>
          endpointRow(`${e.host} ${e.method} ${e.path}`, {
            ...e,
            firstSeen: e.firstSeen ? Date.parse(e.firstSeen) : 0,
            lastSeen: e.lastSeen ? Date.parse(e.lastSeen) : 0,
            authenticated: Math.round(e.authenticatedShare * e.requests),
            sensitive: Object.fromEntries(e.flags.sensitiveData.map((k) => [k, 1])),
            unauthenticatedSuccess: e.flags.unauthenticated ? 1 : 0,
          }),
        ),
      );
    case 'openapi':
      return `${JSON.stringify(
        exportOpenApi(
          endpoints
            .filter((e) => e.requests > 0)
            .map((e) => ({
              host: e.host,
              method: e.method,
              template: e.path,
              params: e.params.map((p) => ({ name: p.name, kind: p.kinds[0] ?? 'slug' })),
              requests: e.requests,
              statusCounts: e.statusCounts,
              status: e.classification,
              ...(e.firstSeen ? { firstSeen: Date.parse(e.firstSeen) } : {}),
              ...(e.lastSeen ? { lastSeen: Date.parse(e.lastSeen) } : {}),
            })),
        ),
        null,
        2,
      )}\n`;
    case 'table': {
      const header = ['CLASS', 'METHOD', 'HOST', 'PATH', 'REQUESTS', 'AUTH', 'ERRORS', 'FLAGS'];
      const rows = endpoints.map((e) => {
        const errors = (e.statusCounts['4xx'] ?? 0) + (e.statusCounts['5xx'] ?? 0);
        const flags = [...(e.flags.unauthenticated ? ['unauthenticated'] : []), ...e.flags.sensitiveData].join(',');
        return [
          e.classification,
          e.method,
          printable(e.host, 40),
          printable(e.path, 70),
          String(e.requests),
          `${Math.round(e.authenticatedShare * 100)}%`,
          e.requests > 0 ? `${Math.round((errors / e.requests) * 100)}%` : '-',
          flags || '-',
        ];
      });
      return `${table(rows, header)}\n`;
    }
  }
}
