import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { renderHtmlReport } from '../../../shared/console/html-report.js';
import { buildReport } from '../../../shared/engine/report.js';
import { fillStore, testClock } from './traffic.js';

describe('HTML report', () => {
  it('is one self-contained page whose only style and script are pinned by hash, with log values escaped', async () => {
    // Prepare
    const clock = testClock();
    const store = createMemoryStore({ clock });
    await fillStore(store, clock);
    const report = await buildReport(store);
    report.endpoints.push({
      ...(report.endpoints[0] as (typeof report.endpoints)[number]),
      path: '/x/<script>alert(1)</script>',
    });
    // Act
    const html = renderHtmlReport(report, { title: 'Shop </title><script>' });
    // Assess
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const hash = (text: string) => createHash('sha256').update(text).digest('base64');
    expect(scripts).toHaveLength(1);
    expect(csp).toContain(`script-src 'sha256-${hash(scripts[0] ?? '')}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(style)}'`);
    expect(csp).toContain("default-src 'none'");
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(html).toContain('/x/&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('<title>Shop &#60;/title&#62;&#60;script&#62;</title>');
    expect(html).toContain('/internal/debug');
  });
});
