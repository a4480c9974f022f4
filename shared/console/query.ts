/**
 * The list query model: one parser and one evaluator for every console list (inventory, entities, findings,
 * actions). Filtering, search, sorting and paging all happen on the server, over the read model's rows;
 * the browser only ever holds one page.
 */

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;
const MAX_SEARCH = 200;

export type Order = 'asc' | 'desc';

export interface ListParams {
  /** Free-text search (case-insensitive substring of the searchable fields). */
  q: string;
  /** field -> accepted values (any of them). */
  filters: Record<string, string[]>;
  sort: string;
  order: Order;
  limit: number;
  offset: number;
}

/** What a list allows: which fields filter, which sort, which are searched, and the default order. */
export interface ListSpec<R> {
  filters: Record<string, (row: R) => string | readonly string[] | boolean>;
  sorts: Record<string, (row: R) => number | string>;
  search: (row: R) => string;
  defaultSort: string;
  defaultOrder: Order;
  /** A tie-breaker so that pages are stable. */
  id: (row: R) => string;
}

export interface ListResult<R> {
  items: R[];
  total: number;
  /** Opaque; absent on the last page. */
  cursor?: string;
  sort: string;
  order: Order;
}

export class QueryError extends Error {
  override name = 'QueryError';
}

export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw new QueryError('invalid cursor');
}

/** Reads list parameters from a query string, rejecting what the list does not support with an exact message. */
export function parseListParams<R>(query: URLSearchParams, spec: ListSpec<R>): ListParams {
  const q = (query.get('q') ?? '').trim().slice(0, MAX_SEARCH);
  const filters: Record<string, string[]> = {};
  for (const name of Object.keys(spec.filters)) {
    const values = query
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    if (values.length > 0) filters[name] = values;
  }
  const sort = query.get('sort') ?? spec.defaultSort;
  if (!Object.hasOwn(spec.sorts, sort)) {
    throw new QueryError(`unknown sort "${sort.slice(0, 40)}": use ${Object.keys(spec.sorts).join(', ')}`);
  }
  const orderText = query.get('order') ?? (sort === spec.defaultSort ? spec.defaultOrder : 'asc');
  if (orderText !== 'asc' && orderText !== 'desc') throw new QueryError('order must be asc or desc');
  const limitText = query.get('limit');
  const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new QueryError(`limit must be 1..${MAX_PAGE}`);
  const cursor = query.get('cursor');
  return { q, filters, sort, order: orderText, limit, offset: cursor ? decodeCursor(cursor) : 0 };
}

function matches(value: string | readonly string[] | boolean, accepted: readonly string[]): boolean {
  if (typeof value === 'boolean') return accepted.includes(String(value));
  if (typeof value === 'string') return accepted.includes(value);
  return value.some((v) => accepted.includes(v));
}

/** Filters, searches, sorts and pages `rows` (never modified). O(n log n) over the matching rows. */
export function runList<R>(rows: readonly R[], params: ListParams, spec: ListSpec<R>): ListResult<R> {
  const needle = params.q.toLowerCase();
  const filters = Object.entries(params.filters).map(([name, accepted]) => [spec.filters[name], accepted] as const);
  const matching = rows.filter((row) => {
    for (const [get, accepted] of filters) if (get && !matches(get(row), accepted)) return false;
    return needle === '' || spec.search(row).toLowerCase().includes(needle);
  });
  const key = spec.sorts[params.sort] as (row: R) => number | string;
  const direction = params.order === 'asc' ? 1 : -1;
  const decorated = matching.map((row) => ({ row, k: key(row), id: spec.id(row) }));
  decorated.sort((a, b) => {
    const c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
    if (c !== 0) return c * direction;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  const end = params.offset + params.limit;
  const items = decorated.slice(params.offset, end).map((d) => d.row);
  return {
    items,
    total: matching.length,
    ...(end < matching.length ? { cursor: encodeCursor(end) } : {}),
    sort: params.sort,
    order: params.order,
  };
}

/** Counts of rows per value of a field (for the filter chips), most frequent first, at most `max`. */
export function facet<R>(
  rows: readonly R[],
  get: (row: R) => string | readonly string[],
  max = 20,
): Array<{ value: string; count: number }> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const v = get(row);
    for (const value of typeof v === 'string' ? [v] : v) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([value, count]) => ({ value, count }));
}
