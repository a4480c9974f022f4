/**
 * Console XSS (docs/threat-model.md, T4): everything a remote client writes into a log line — path, query, user
 * agent, session cookie (an entity id), X-Forwarded-For — reaches the console's pages through the real engine and
 * the read model, and must render as text: no element, no event-handler attribute, no URL of the attacker's.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { endpointDetail, entityDetail } from '../../../shared/console/details.js';
import { ConsoleReadModel } from '../../../shared/console/read-model.js';
import {
  endpointDetailView,
  endpointTable,
  entityDetailView,
  entityTable,
  findingTable,
  type Links,
} from '../../../shared/console/view/pages.js';
import { renderToString } from '../../../shared/console/view/vnode.js';
import { analyzeBatch } from '../../../shared/engine/analyze.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { makeApiEvent } from '../../helpers/events.js';

const T0 = Date.UTC(2026, 5, 1, 9, 0);
const MARK = 'lanternxss';
const PAYLOADS = [
  `<script>${MARK}(1)</script>`,
  `<img src=x onerror=${MARK}(2)>`,
  `"><svg onload=${MARK}(3)>`,
  `'><a href="javascript:${MARK}(4)">x</a>`,
];

const links: Links = {
  endpoint: (id) => `#/endpoint?id=${encodeURIComponent(id)}`,
  entity: (key) => `#/entity?id=${encodeURIComponent(key)}`,
  finding: (id) => `#/finding?id=${encodeURIComponent(id)}`,
};

/**
 * Markup the payloads would create if rendered unescaped: an element of theirs (script, img, iframe...), an
 * event-handler attribute, a javascript: URL, or the payload's marker anywhere in a tag outside a quoted value.
 */
function injected(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*"|='[^']*'|=[^\s>]*)?)*)\s*\/?>/g)) {
    const [tag, name, attrs] = [m[0], (m[1] ?? '').toLowerCase(), m[2] ?? ''];
    if (['script', 'img', 'iframe', 'object', 'embed'].includes(name)) found.push(tag);
    for (const attr of attrs.matchAll(/\s+([^\s=>]+)(?:=("[^"]*"|'[^']*'|[^\s>]*))?/g)) {
      const [attrName, value] = [(attr[1] ?? '').toLowerCase(), (attr[2] ?? '').replace(/^["']|["']$/g, '')];
      if (attrName.startsWith('on') || attrName.includes(MARK)) found.push(tag);
      if ((attrName === 'href' || attrName === 'src') && /^\s*javascript:/i.test(value)) found.push(tag);
    }
  }
  return found;
}

async function hostileStore() {
  const clock = fixedClock(T0);
  const store = createMemoryStore({ clock });
  const events: ApiEvent[] = [];
  PAYLOADS.forEach((payload, p) => {
    for (let i = 0; i < 40; i++) {
      events.push(
        makeApiEvent({
          time: T0 + p * 60_000 + i * 500,
          path: `/probe/${payload}/${i}`,
          query: `q=${payload}`,
          status: 404,
          clientIp: `45.133.1.${10 + p}`,
          userAgent: payload,
          forwardedFor: payload,
          ...(p % 2 === 0 ? { session: payload } : {}),
        }),
      );
    }
  });
  clock.set(T0 + 10 * 60_000);
  await analyzeBatch({ events, rejections: [] }, { store, clock });
  return { store, clock, now: T0 + 10 * 60_000 };
}

describe('console pages with attacker-written log values', () => {
  it('render paths, queries, user agents, forwarded-for and session ids as text on every page', async () => {
    // Prepare
    const { store, clock, now } = await hostileStore();
    const model = new ConsoleReadModel(store, { clock });
    const [endpoints, entities, findings] = [
      await model.endpoints.rows(),
      await model.entities.rows(),
      await model.findings.rows(),
    ];
    // The payloads did reach the documents the pages show (else the test would prove nothing).
    expect(findings.length).toBeGreaterThan(0);
    expect(JSON.stringify({ endpoints, entities, findings })).toContain(`<script>${MARK}`);
    // Act
    const pages = [
      renderToString(endpointTable(endpoints, now, links)),
      renderToString(entityTable(entities, now, links)),
      renderToString(findingTable(findings, now, links)),
    ];
    for (const row of endpoints) {
      const detail = await endpointDetail(model, row.id);
      if (detail) pages.push(renderToString(endpointDetailView(detail, now, links)));
    }
    for (const row of entities) {
      const detail = await entityDetail(model, row.id);
      if (detail) pages.push(renderToString(entityDetailView(detail, now, links)));
    }
    // Assess
    const html = pages.join('\n');
    expect(html).toContain(MARK);
    expect(injected(html)).toEqual([]);
  });

  it('the detector of injected markup sees each payload when it is not escaped', () => {
    // The check above is only as good as this one: raw payloads are all caught.
    expect(PAYLOADS.map((p) => injected(p).length > 0)).toEqual([true, true, true, true]);
  });
});
