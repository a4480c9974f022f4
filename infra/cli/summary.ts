import type { Report } from '../../shared/engine/report.js';
import { showInvisible } from '../../shared/text/visible.js';

const n = (value: number) => value.toLocaleString('en-US');

/** Columns padded to their widest cell. Widths are found in a loop: an inventory can have more rows than spread allows. */
export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map(() => 0);
  for (const row of all)
    for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c] ?? 0, (row[c] ?? '').length);
  return all
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Log text made safe for a terminal: tabs and newlines too are shown as code points, so a value stays on its line. */
export function printable(text: string, max = 80): string {
  const clean = showInvisible(text).replace(/[\t\n]/g, (c) => (c === '\t' ? '<U+0009>' : '<U+000A>'));
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The readable summary `lantern analyze` prints on a terminal. */
export function formatSummary(report: Report, top = 20): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push('Lantern analysis');
  lines.push(
    `  records ${n(s.records)}  analysed ${n(s.analysed)}  rejected ${n(s.rejected)}` +
      (s.controlMessages ? `  control messages ${n(s.controlMessages)}` : ''),
  );
  if (s.from && s.to) lines.push(`  from ${s.from} to ${s.to}`);
  lines.push(
    `  endpoints ${n(s.endpoints)}  entities ${n(s.entities)}  findings ${n(s.findings)}  probe requests ${n(s.probeRequests)}`,
  );
  if (report.rejections.total > 0) {
    const reasons = Object.entries(report.rejections.byReason)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([reason, count]) => `${reason} ${n(count ?? 0)}`)
      .join(', ');
    lines.push(`  rejections: ${reasons}`);
    for (const sample of report.rejections.samples.slice(0, 5)) {
      lines.push(
        `    ${printable(sample.where, 60)}  ${sample.reason}${sample.detail ? `: ${printable(sample.detail, 60)}` : ''}`,
      );
    }
  }
  if (report.endpoints.length > 0) {
    lines.push(
      '',
      `Endpoints (top ${Math.min(top, report.endpoints.length)} of ${n(report.endpoints.length)} by traffic)`,
    );
    lines.push(
      table(
        report.endpoints
          .slice(0, top)
          .map((e) => [
            e.method,
            printable(e.host, 32),
            printable(e.path, 60),
            e.classification,
            n(e.requests),
            `${Math.round(e.authenticatedShare * 100)}%`,
          ]),
        ['METHOD', 'HOST', 'PATH', 'CLASS', 'REQUESTS', 'AUTH'],
      ).replace(/^/gm, '  '),
    );
  }
  if (report.findings.length > 0) {
    lines.push('', `Findings (${n(report.findings.length)})`);
    for (const f of report.findings.slice(0, top)) {
      lines.push(
        `  [${f.severity}] ${f.type}  ${printable(`${f.entity.type}:${f.entity.id}`, 50)}  ${printable(f.summary, 120)}`,
      );
    }
  }
  const risky = report.entities.filter((e) => e.risk > 0).slice(0, 10);
  if (risky.length > 0) {
    lines.push('', 'Riskiest callers');
    lines.push(
      table(
        risky.map((e) => [e.type, printable(e.id, 48), String(e.risk), n(e.requests)]),
        ['TYPE', 'ID', 'RISK', 'REQUESTS'],
      ).replace(/^/gm, '  '),
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
