import { describe, expect, it } from 'vitest';
import { evidenceLines } from '../../../shared/console/evidence.js';
import { csvCell, endpointsCsv, endpointsOpenApi } from '../../../shared/console/export.js';
import { actionRow, auditRow, endpointRow } from '../../../shared/console/rows.js';
import { h, renderToString, safeUrl } from '../../../shared/console/view/vnode.js';

describe('view tree rendering', () => {
  it('escapes text and attribute values, and drops event handlers, inline styles and foreign URLs', () => {
    // Prepare
    const ua = '<img src=x onerror=alert(1)>';
    // Act
    const html = renderToString(
      h(
        'div',
        { title: `"${ua}`, onclick: 'alert(1)', style: 'color:red', 'data-x': "'" },
        ua,
        h('a', { href: 'javascript:alert(1)' }, 'x'),
      ),
    );
    // Assess
    expect(html).toBe(
      '<div title="&#34;&#60;img src=x onerror=alert(1)&#62;" data-x="&#39;">&#60;img src=x onerror=alert(1)&#62;<a href="#">x</a></div>',
    );
    expect(safeUrl('//evil.example/')).toBe('#');
    expect(safeUrl('#/entity?id=ip%3A1')).toBe('#/entity?id=ip%3A1');
  });
});

describe('rows from stored documents', () => {
  it('reads an endpoint defensively: classification as a string or an object, flags from counts', () => {
    // Act
    const row = endpointRow('h GET /a', {
      host: 'h',
      method: 'GET',
      path: '/a',
      requests: 10,
      authenticated: 4,
      statusCounts: { '2xx': 6, '4xx': 3, '5xx': 1 },
      classification: { status: 'zombie' },
      sensitive: { email: 2 },
      unauthenticatedSuccess: 1,
    });
    // Assess
    expect(row).toMatchObject({
      classification: 'zombie',
      authShare: 0.4,
      errorRate: 0.4,
      sensitive: ['email'],
      unauthenticated: true,
      probe: false,
    });
    expect(endpointRow('x', 'garbage')).toMatchObject({ classification: 'unknown', requests: 0, probe: true });
  });

  it('shows an enforced action past its end as active until the expirer lifts it (the edge still holds it)', () => {
    // Prepare
    const now = Date.UTC(2026, 0, 1, 12);
    const due = (enforced: boolean) => ({
      target: { kind: 'ip', address: '9.9.9.9' },
      offences: 1,
      active: { kind: 'block', since: now - 7_200_000, until: now - 1000, findingId: 'f', revision: 1, enforced },
    });
    // Act
    const enforced = actionRow('target:ip:9.9.9.9', due(true), now);
    const monitored = actionRow('target:ip:9.9.9.9', due(false), now);
    // Assess
    expect(enforced.active).toBe(true);
    expect(monitored.active).toBe(false);
  });

  it("reads the response module's target documents and audit entries", () => {
    // Prepare
    const now = Date.UTC(2026, 0, 1, 12);
    // Act
    const active = actionRow(
      'target:ip:9.9.9.9',
      {
        target: { kind: 'ip', address: '9.9.9.9' },
        offences: 1,
        active: {
          kind: 'block',
          since: now - 1000,
          until: now + 3_600_000,
          findingId: 'f',
          revision: 1,
          severity: 'high',
          enforced: false,
        },
      },
      now,
    );
    const lifted = actionRow(
      'target:api-key:k',
      {
        target: { kind: 'api-key', id: 'k' },
        offences: 1,
        last: { kind: 'throttle', ended: now, how: 'unblocked' },
        override: { kind: 'unblock', by: 'console:ann', at: now },
      },
      now,
    );
    const entry = auditRow('2026#1', {
      at: now,
      event: 'lifted',
      mode: 'enforce',
      target: 'ip:9.9.9.9',
      findingId: 'f',
      action: 'end-block',
      reason: 'manual unblock',
      by: 'console:ann',
    });
    // Assess
    expect(active).toMatchObject({
      target: 'ip:9.9.9.9',
      kind: 'block',
      active: true,
      mode: 'monitor',
      expiresAt: now + 3_600_000,
      findingId: 'f',
    });
    expect(lifted).toMatchObject({ target: 'api-key:k', kind: 'throttle', active: false, status: 'unblocked' });
    expect(entry).toMatchObject({
      time: now,
      actor: 'console:ann',
      action: 'lifted · end-block',
      target: 'ip:9.9.9.9',
      detail: 'manual unblock',
      findingId: 'f',
    });
  });
});

describe('evidence in plain words', () => {
  it('names each measure and states observed, peers and limit', () => {
    // Act
    const lines = evidenceLines({
      distinctObjectsPer10Min: { observed: 412, baseline: 6, threshold: 25 },
      failureShare: { observed: 0.42, threshold: 0.3 },
      someNewMeasure: 3,
    });
    // Assess
    expect(lines.map((l) => l.text)).toEqual([
      'Different objects asked for in 10 minutes: 412 — its peers: 6 — the limit is 25.',
      'Share refused or not found: 42 % — the limit is 30 %.',
      'Some new measure: 3.',
    ]);
    expect(lines.map((l) => l.over)).toEqual([true, true, false]);
  });
});

describe('exports', () => {
  const row = endpointRow('h GET /=cmd', {
    host: 'h',
    method: 'GET',
    path: '=HYPERLINK("http://evil")',
    requests: 2,
    statusCounts: { '2xx': 2 },
    firstSeen: 0,
    lastSeen: 0,
  });

  it('neutralises spreadsheet formulas in CSV cells', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(endpointsCsv([row]).split('\r\n')[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('writes an OpenAPI 3.1 document with path parameters and what Lantern saw', () => {
    // Act
    const doc = endpointsOpenApi([
      endpointRow('h GET /users/{userId}', {
        host: 'api.example.com',
        method: 'GET',
        path: '/users/{userId}',
        requests: 5,
        statusCounts: { '2xx': 5 },
      }),
    ]) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters: Array<{ name: string }>; 'x-lantern-requests': number }>>;
    };
    // Assess
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.paths['/users/{userId}']?.get?.parameters.map((p) => p.name)).toEqual(['userId']);
    expect(doc.paths['/users/{userId}']?.get?.['x-lantern-requests']).toBe(5);
  });
});
