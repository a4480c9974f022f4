import { writeFile } from 'node:fs/promises';
import { renderHtmlReport } from '../../shared/console/html-report.js';
import type { Report } from '../../shared/engine/report.js';

/** `lantern analyze --html FILE`: the console's views as one self-contained file (no server, no external assets). */
export async function writeHtmlReport(file: string, report: Report): Promise<void> {
  await writeFile(file, renderHtmlReport(report), 'utf8');
}
