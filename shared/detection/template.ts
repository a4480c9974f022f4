/**
 * Until discovery hands detection a template and its parameter values, detection groups raw paths itself with a
 * conservative rule: a segment that looks like an identifier (a number, a UUID, a long hex or mixed token) is a
 * parameter. Discovery's templates, when present on the request, always win.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const HEX = /^[0-9a-f]{12,}$/i;
const MIXED_TOKEN = /^(?=.*\d)(?=.*[a-z])[a-z0-9_-]{8,}$/i;

export function looksLikeIdentifier(segment: string): boolean {
  return NUMBER.test(segment) || UUID.test(segment) || HEX.test(segment) || MIXED_TOKEN.test(segment);
}

export interface Templated {
  path: string;
  params: string[];
}

export function fallbackTemplate(path: string): Templated {
  const params: string[] = [];
  const segments = path.split('/').map((segment) => {
    if (segment.length > 0 && looksLikeIdentifier(segment)) {
      params.push(segment);
      return '{id}';
    }
    return segment;
  });
  return { path: segments.join('/'), params };
}
