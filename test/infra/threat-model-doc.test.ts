/**
 * docs/threat-model.md names, for each threat, the test that covers it (`file` › "test name"): every such test must
 * exist under that name, so that a renamed or deleted test shows up as an uncovered threat instead of a stale doc.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/function.js';

const doc = readFileSync(path.join(REPO_ROOT, 'docs/threat-model.md'), 'utf8').replace(/\s+/g, ' ');

/** Every `file` › "name" the document cites. */
function citations(): Array<{ file: string; name: string }> {
  return [...doc.matchAll(/`(test\/[^`]+\.test\.ts)` › "([^"]+)"/g)].map((m) => ({ file: m[1]!, name: m[2]! }));
}

/** The names of a test file's tests and suites (it, test, describe, with .each/.fails), unescaped. */
function testNames(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const names: string[] = [];
  const call =
    /\b(?:it|test|describe)(?:\.fails|\.each\((?:[^()]|\([^()]*\))*\))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;
  for (const m of text.matchAll(call)) names.push((m[2] ?? '').replace(/\\(.)/g, '$1').replace(/\s+/g, ' '));
  return names;
}

/** A cited name matches a declared one literally, or through the declared name's `%s` / `$name` placeholders. */
function declares(names: readonly string[], cited: string): boolean {
  return names.some((n) => {
    if (n === cited) return true;
    if (!/%[sdi]|\$\w+/.test(n)) return false;
    const pattern = n
      .split(/(%[sdi]|\$\w+)/)
      .map((part, i) => (i % 2 === 1 ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${pattern}$`).test(cited) || n.replace(/%[sdi]|\$\w+/g, '%s') === cited;
  });
}

describe('docs/threat-model.md', () => {
  it('cites at least one test for each of its threats', () => {
    const threats = [...doc.matchAll(/### (T\d+)[^#]*/g)];
    expect(threats.length).toBeGreaterThanOrEqual(15);
    for (const t of threats) expect(t[0], t[1]).toMatch(/`test\/[^`]+\.test\.ts`/);
  });

  it.each(citations().map((c) => [c.file, c.name]))('%s declares "%s"', (file, name) => {
    expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
    expect(declares(testNames(file), name), `${file}: ${testNames(file).join(' | ')}`).toBe(true);
  });
});
