import { classifyEndpoints, type DeclaredSpecs } from '../discovery/classify.js';
import { listPackedCallers } from '../engine/callers.js';
import { DECLARED_ID } from '../engine/discovery-state.js';
import type { Clock } from '../ports/clock.js';
import type { DocumentCollection, Store } from '../ports/store.js';
import {
  type ActionRow,
  type AuditRow,
  actionRow,
  auditRow,
  type EndpointRow,
  type EntityRow,
  endpointRow,
  entityRow,
  type FindingRow,
  findingRow,
} from './rows.js';

/**
 * The console's read model: every list is served from compact rows projected from the store.
 *
 * The Store port lists documents by id prefix only, so an order by risk, traffic or error rate cannot come from
 * the store. Instead each collection is scanned once (pages of 1,000), projected to rows of a few hundred bytes
 * and kept in memory for `maxAgeMs`; every list request filters, sorts and pages those rows (10,000 endpoints or
 * 100,000 entities sort in tens of milliseconds, ~30 MB of rows). Concurrent requests share one refresh
 * (single flight), and a stale snapshot is served while the next one loads, so a scan never blocks a page.
 * Details (one endpoint, one entity) are always read fresh by id. See docs/console.md.
 */

export interface ReadModelOptions {
  clock: Clock;
  /** How old a snapshot may be before the next request refreshes it. Default 10 s. */
  maxAgeMs?: number;
  /** Page size of the scan. Default 1,000. */
  pageSize?: number;
}

interface Snapshot<R> {
  rows: R[];
  at: number;
}

class Projection<R> {
  private snapshot: Snapshot<R> | undefined;
  private loading: Promise<Snapshot<R>> | undefined;

  constructor(
    private readonly collection: DocumentCollection<unknown>,
    private readonly project: (id: string, value: unknown, now: number) => R | undefined,
    private readonly options: Required<ReadModelOptions>,
    private readonly prefix = '',
    /** Completes a scanned snapshot (rows that have no document of their own). */
    private readonly finish?: (rows: R[]) => Promise<R[]>,
  ) {}

  async rows(): Promise<R[]> {
    const now = this.options.clock.now();
    const current = this.snapshot;
    if (current && now - current.at < this.options.maxAgeMs) return current.rows;
    const refresh = this.refresh();
    // Serve the stale snapshot while the next one loads; only the very first request waits.
    if (current) {
      refresh.catch(() => undefined);
      return current.rows;
    }
    return (await refresh).rows;
  }

  /** Drops the snapshot: the next request rescans (after the console itself changed something). */
  invalidate(): void {
    this.snapshot = undefined;
  }

  private refresh(): Promise<Snapshot<R>> {
    this.loading ??= this.scan().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async scan(): Promise<Snapshot<R>> {
    const now = this.options.clock.now();
    const rows: R[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.collection.list({
        limit: this.options.pageSize,
        ...(this.prefix ? { prefix: this.prefix } : {}),
        ...(cursor ? { cursor } : {}),
      });
      for (const item of page.items) {
        const row = this.project(item.id, item.value, now);
        if (row !== undefined) rows.push(row);
      }
      cursor = page.cursor;
    } while (cursor);
    const snapshot = { rows: this.finish ? await this.finish(rows) : rows, at: now };
    this.snapshot = snapshot;
    return snapshot;
  }
}

/**
 * Declared operations nobody calls have no endpoint document (discovery stores what it sees): they are classified
 * against the declared APIs here, like the report does, and listed as `unused` rows without traffic.
 */
async function withUnusedDeclared(store: Store, rows: EndpointRow[]): Promise<EndpointRow[]> {
  const declared = (await store.discovery.get([DECLARED_ID])).get(DECLARED_ID)?.value as DeclaredSpecs | undefined;
  if (!declared || !Array.isArray(declared.current) || declared.current.length === 0) return rows;
  const observed = rows
    .filter((r) => !r.probe)
    .map((r) => ({ host: r.host, method: r.method, template: r.path, requests: r.requests }));
  const unused = classifyEndpoints(observed, declared).filter((c) => c.status === 'unused');
  return [
    ...rows,
    ...unused.map((c) => ({
      id: `${c.host} ${c.method} ${c.template}`,
      host: c.host,
      method: c.method,
      path: c.template,
      classification: 'unused',
      requests: 0,
      firstSeen: 0,
      lastSeen: 0,
      statusCounts: {},
      authShare: 0,
      errorRate: 0,
      sensitive: [],
      unauthenticated: false,
      probe: false,
    })),
  ];
}

export class ConsoleReadModel {
  readonly endpoints: Projection<EndpointRow>;
  readonly entities: Projection<EntityRow>;
  readonly findings: Projection<FindingRow>;
  readonly actions: Projection<ActionRow>;
  readonly audit: Projection<AuditRow>;
  /** Where the last scan found each packed caller, so its details can be read without another scan. */
  packOf = new Map<string, string>();

  constructor(
    readonly store: Store,
    options: ReadModelOptions,
  ) {
    const resolved: Required<ReadModelOptions> = { maxAgeMs: 10_000, pageSize: 1000, ...options };
    this.endpoints = new Projection(store.endpoints, endpointRow, resolved, '', (rows) =>
      withUnusedDeclared(store, rows),
    );
    this.entities = new Projection(store.entities, entityRow, resolved, '', async (rows) => {
      // Brief callers live in packs until they matter (docs/data-model.md): they are callers all the same.
      const packed = await listPackedCallers(store, new Set(rows.map((r) => r.id)));
      this.packOf = new Map(packed.map((p) => [p.id, p.pack]));
      return [...rows, ...packed.map((p) => entityRow(p.id, p.value))];
    });
    this.findings = new Projection(store.findings, findingRow, resolved);
    // Only the response module's target documents are actions (decisions, caps and alert counters are not).
    this.actions = new Projection(store.actions, actionRow, resolved, 'target:');
    this.audit = new Projection(store.audit, auditRow, resolved);
  }

  /** After a console action: the lists it may have changed are rescanned on the next request. */
  invalidate(): void {
    this.findings.invalidate();
    this.actions.invalidate();
    this.audit.invalidate();
    this.entities.invalidate();
  }
}

export type { Projection };
