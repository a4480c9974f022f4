/**
 * Endpoint templates as text (`/users/{userId}/orders/{orderId}`, `/files/{proxy+}`,
 * `/Calls/{CallSid}.json`): normalising them (parameter names ignored) and matching one against
 * another. Shared by the templater, declared APIs, classification and the export.
 */

/** A template segment with every `{name}` replaced by `{}` (`{name+}` becomes `{+}`). */
export function normalizeSegment(segment: string): string {
  return segment.replace(/\{[^{}]*\}/g, (m) => (m.endsWith('+}') ? '{+}' : '{}'));
}

/** Splits a template (or a raw path) into segments, dropping the leading `/`. */
export function templateSegments(template: string): string[] {
  const t = template.startsWith('/') ? template.slice(1) : template;
  return t === '' ? [] : t.split('/');
}

/** The template with parameter names ignored: the comparison key of two templates. */
export function normalizeTemplate(template: string): string {
  return `/${templateSegments(template).map(normalizeSegment).join('/')}`;
}

export function isParamSegment(segment: string): boolean {
  return segment.includes('{') && /\{[^{}]*\}/.test(segment);
}

export function isGreedySegment(segment: string): boolean {
  return /^\{[^{}]*\+\}$/.test(segment);
}

/** Parameter names of a template, in order. */
export function templateParamNames(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) names.push((m[1] ?? '').replace(/\+$/, ''));
  return names;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const segmentRegexCache = new Map<string, RegExp>();

/** A regex for one template segment: literal parts exact, each `{}` one or more characters. */
function segmentRegex(normalized: string): RegExp {
  let re = segmentRegexCache.get(normalized);
  if (re === undefined) {
    const source = normalized
      .split(/(\{\+?\})/)
      .map((part) => (part === '{}' || part === '{+}' ? '.+' : escapeRegex(part)))
      .join('');
    re = new RegExp(`^${source}$`, 's');
    if (segmentRegexCache.size > 10_000) segmentRegexCache.clear();
    segmentRegexCache.set(normalized, re);
  }
  return re;
}

/** How well `specific` fits `general`: equal (names ignored), an instance of it, or no match. */
export type TemplateMatch = 'exact' | 'instance' | 'none';

/**
 * Matches a template (or raw path) `specific` against `general`, parameter names ignored.
 * `exact`: same shape. `instance`: `specific` is more specific (a literal where `general` has a
 * parameter, a `{}.json` where it has `{}`, several segments where it has a greedy `{path+}`).
 */
export function matchTemplate(specific: string, general: string): TemplateMatch {
  const a = templateSegments(specific).map(normalizeSegment);
  const b = templateSegments(general).map(normalizeSegment);
  let exact = true;
  let i = 0;
  for (; i < b.length; i++) {
    const g = b[i] as string;
    if (g === '{+}') {
      if (i !== b.length - 1) return 'none';
      const rest = a.slice(i);
      if (rest.length === 0) return 'none';
      if (!(rest.length === 1 && rest[0] === '{+}')) exact = false;
      return exact ? 'exact' : 'instance';
    }
    const s = a[i];
    if (s === undefined) return 'none';
    if (s === g) continue;
    if (s === '{+}') return 'none';
    if (!g.includes('{')) return 'none';
    if (!segmentRegex(g).test(s)) return 'none';
    exact = false;
  }
  if (i !== a.length) return 'none';
  return exact ? 'exact' : 'instance';
}

/** How specific a template is: more literal characters first, then fewer parameters (used to pick the best of several matches). */
export function specificity(template: string): number {
  let literal = 0;
  let params = 0;
  for (const seg of templateSegments(template)) {
    const n = normalizeSegment(seg);
    literal += n.replace(/\{\+?\}/g, '').length;
    params += (n.match(/\{\+?\}/g) ?? []).length;
  }
  return literal * 100 - params;
}
