/**
 * The sweeper's sync of the declared APIs from API Gateway (REST APIs): what the gateway serves becomes the declared
 * set endpoints are classified against (managed, shadow, zombie, unused), without a spec upload.
 *
 * - Only the operations an earlier sync wrote (`source: 'apigateway'`) are replaced: a spec loaded with the CLI's
 *   `--declared` (e.g. an HTTP API's exported OpenAPI) stays.
 * - The declared set is written only when the gateway's operations changed: `saveDeclared` then keeps the set before
 *   the change as history, so a path removed from the gateway and still called is a `removed-from-spec` zombie.
 *   Writing on every run would fill the history (its last 5 sets) with copies and forget the removal within 5 runs.
 * - HTTP APIs (API Gateway v2) are not read: their routes come from an exported OpenAPI file for now.
 */
import type { DeclaredRestApis, RestApiMapping } from '../../shared/adapters/apigateway/declared-apis.js';
import type { DeclaredSpecs } from '../../shared/discovery/classify.js';
import {
  collapseOperations,
  type DeclaredOperation,
  declaredFromGatewayResources,
} from '../../shared/discovery/declared.js';
import { normalizeTemplate } from '../../shared/discovery/template.js';
import { DECLARED_ID, saveDeclared } from '../../shared/engine/discovery-state.js';
import type { SweepTask } from './tasks.js';

/** Which REST APIs the sync reads (LANTERN_DECLARED_REST_APIS): every one of the account and region, or these ids. */
export type DeclaredApisSetting = { apis: 'all' } | { apis: 'ids'; ids: string[] };

export const DECLARED_APIS_ENV = 'LANTERN_DECLARED_REST_APIS';

/** `all`, or REST API ids separated by commas; unset or empty: no sync (the local cloud has no API Gateway). */
export function parseDeclaredApisSetting(
  value: string | undefined,
  problems: string[],
): DeclaredApisSetting | undefined {
  const raw = value?.trim() ?? '';
  if (raw === '') return undefined;
  if (raw === 'all') return { apis: 'all' };
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = ids.filter((id) => !/^[a-z0-9]{10}$/.test(id));
  if (bad.length > 0 || ids.length === 0) {
    problems.push(`${DECLARED_APIS_ENV} must be "all" or REST API ids separated by commas, got "${raw}"`);
    return undefined;
  }
  return { apis: 'ids', ids: [...new Set(ids)] };
}

/**
 * The gateway's REST APIs as declared operations: each API's resources under each base path it is called on, for
 * every host that maps it there (its execute-api host and custom domains share an operation). The version is the
 * stage when the hosts agree on one.
 */
export function declaredFromRestApis(read: DeclaredRestApis): DeclaredOperation[] {
  const ops: DeclaredOperation[] = [];
  for (const api of read.apis) {
    const byBasePath = new Map<string, RestApiMapping[]>();
    for (const m of api.mappings) byBasePath.set(m.basePath, [...(byBasePath.get(m.basePath) ?? []), m]);
    for (const [basePath, mappings] of byBasePath) {
      // Custom domains first: an unused operation is shown on its first host, and that is the one callers use.
      const hosts = [...new Set(mappings.map((m) => m.host))].sort(
        (a, b) => Number(a.includes('.execute-api.')) - Number(b.includes('.execute-api.')),
      );
      const stages = [...new Set(mappings.flatMap((m) => (m.stage ? [m.stage] : [])))];
      const mapped = declaredFromGatewayResources(api.resources, {
        host: hosts[0] as string,
        basePath,
        ...(stages.length === 1 ? { stage: stages[0] as string } : {}),
      });
      for (const op of mapped) ops.push({ ...op, hosts, source: 'apigateway' });
    }
  }
  return collapseOperations(ops);
}

/** Order-free identity of a set of operations: what a sync compares to decide whether the gateway changed. */
function fingerprint(ops: readonly DeclaredOperation[]): string {
  return ops
    .map((op) =>
      JSON.stringify([
        [...(op.hosts ?? (op.host ? [op.host] : []))].sort(),
        op.method,
        normalizeTemplate(op.template),
        op.version ?? '',
        op.deprecated,
      ]),
    )
    .sort()
    .join('\n');
}

export interface DeclaredSyncOptions {
  /** Reads the REST APIs (shared/adapters/apigateway/declared-apis.ts, bound to the client and setting). */
  read: () => Promise<DeclaredRestApis>;
  /** Warnings worth a line in the function's log (an id that is not there, HTTP APIs not read). */
  warn: (message: string, extra?: Record<string, unknown>) => void;
}

export function declaredSyncTask(options: DeclaredSyncOptions): SweepTask {
  let toldAboutHttpApis = false;
  return {
    name: 'sync-declared',
    async run({ store }) {
      if (!toldAboutHttpApis) {
        toldAboutHttpApis = true;
        options.warn(
          'declared APIs: REST APIs are synced from API Gateway; HTTP APIs are not read: load their exported OpenAPI with `lantern analyze --declared`',
        );
      }
      const read = await options.read();
      if (read.missing.length > 0) options.warn('declared APIs: REST APIs not found', { missing: read.missing });
      const synced = declaredFromRestApis(read);
      const found = (await store.discovery.get([DECLARED_ID])).get(DECLARED_ID);
      const current = (found?.value as DeclaredSpecs | undefined)?.current ?? [];
      const before = current.filter((op) => op.source === 'apigateway');
      const counts = { apis: read.apis.length, missing: read.missing.length, operations: synced.length };
      if (fingerprint(before) === fingerprint(synced)) return { ...counts, changed: 0 };
      await saveDeclared(store, [...current.filter((op) => op.source !== 'apigateway'), ...synced]);
      return { ...counts, changed: 1 };
    },
  };
}
