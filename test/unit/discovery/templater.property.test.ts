import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchTemplate } from '../../../shared/discovery/template.js';
import { PathTemplater } from '../../../shared/discovery/templater.js';

const segment = fc.oneof(
  fc.constantFrom(
    'users',
    'orders',
    'v1',
    'me',
    'search',
    'items',
    '__proto__',
    'constructor',
    '',
    '.env',
    'a.json',
    '{x}',
  ),
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.uuid(),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/\//g, '')),
);
const path = fc.array(segment, { maxLength: 8 }).map((segs) => `/${segs.join('/')}`);
const request = fc.record({
  host: fc.constantFrom('a.example', 'b.example'),
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path,
  status: fc.constantFrom(200, 201, 302, 404, 500),
});

describe('PathTemplater properties', () => {
  it('never throws, and a templated API request always matches its template', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), (requests) => {
        const t = new PathTemplater();
        for (const r of requests) {
          const res = t.observe(r.host, r.method, r.path, r.status);
          if (res.class === 'api') {
            const raw = r.path.replace(/\{/g, '%7B').replace(/\}/g, '%7D');
            expect(matchTemplate(raw, res.template)).not.toBe('none');
          }
        }
        // The state stays plain JSON.
        expect(JSON.parse(JSON.stringify(t.state))).toEqual(t.state);
      }),
      { numRuns: 200 },
    );
  });

  it('every endpoint template learnt before a merge is mapped by the merge events', () => {
    fc.assert(
      fc.property(fc.array(path, { minLength: 1, maxLength: 80 }), (paths) => {
        const t = new PathTemplater();
        const current = new Map<string, string>();
        for (const p of paths) {
          const res = t.observe('h', 'GET', p, 200);
          for (const ev of res.merges) for (const from of ev.from) current.set(from, ev.into);
          current.set(res.template, res.template);
        }
        // Follow the chain of merges: it must end at a template that still exists.
        const live = new Set(t.endpoints().map((e) => e.template));
        for (const start of current.keys()) {
          let tpl = start;
          for (let i = 0; i < 50 && current.get(tpl) !== tpl && current.get(tpl) !== undefined; i++)
            tpl = current.get(tpl) as string;
          expect(live.has(tpl)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
