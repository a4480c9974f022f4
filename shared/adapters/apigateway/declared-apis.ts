/**
 * Declared REST APIs, read from API Gateway itself: each API's resources (with their methods) and where it is
 * called — its execute-api host, and every custom domain whose base path mappings point at it. The result is the
 * input of shared/discovery/declared.ts `declaredFromGatewayResources`.
 *
 * Control-plane reads are throttled per account (`TooManyRequestsException`). The client's own retry absorbs short
 * bursts; a page still throttled after it is asked again here, from the same `position`, after a growing pause, so a
 * large account is read to the end instead of restarting or failing half-way.
 */
import {
  type APIGatewayClient,
  GetBasePathMappingsCommand,
  GetDomainNamesCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import type { GatewayResource } from '../../discovery/declared.js';
import { realTiming, type Timing } from '../waf/set-writer.js';

/** Where a REST API is called: the host traffic shows, the base path in front of its resources, the stage. */
export interface RestApiMapping {
  host: string;
  /** `''` at the root of the host; `/orders` when a custom domain maps the API under it. */
  basePath: string;
  /** The stage a custom domain maps to (the execute-api host serves every stage, stripped from the path). */
  stage?: string;
}

export interface DeclaredRestApi {
  apiId: string;
  name?: string;
  resources: GatewayResource[];
  mappings: RestApiMapping[];
}

export interface DeclaredRestApis {
  apis: DeclaredRestApi[];
  /** Ids asked for that the account and region do not have. */
  missing: string[];
}

export interface ReadDeclaredRestApisOptions {
  client: APIGatewayClient;
  /** The REST APIs to read; absent: every REST API of the client's account and region. */
  apiIds?: readonly string[];
  /** Times a throttled page is asked again after the client's own retries (default 5). */
  throttleRetries?: number;
  timing?: Timing;
}

/** At most this many items per page: API Gateway's maximum `limit`. */
const PAGE_LIMIT = 500;

interface Page<T> {
  items?: T[];
  position?: string;
}

/** Every item of a `position`/`limit` listing; a throttled page is asked again from where it was. */
async function allPages<T>(
  fetch: (position: string | undefined) => Promise<Page<T>>,
  throttleRetries: number,
  timing: Timing,
): Promise<T[]> {
  const out: T[] = [];
  let position: string | undefined;
  do {
    let page: Page<T> | undefined;
    for (let attempt = 0; page === undefined; attempt++) {
      try {
        page = await fetch(position);
      } catch (error: unknown) {
        if (!(error instanceof TooManyRequestsException) || attempt >= throttleRetries) throw error;
        // Full jitter over an exponential ceiling: several sweepers of one account do not retry in step.
        await timing.sleep(Math.round(timing.random() * 1000 * 2 ** attempt));
      }
    }
    out.push(...(page.items ?? []));
    position = page.position;
  } while (position);
  return out;
}

/** `(none)` is how API Gateway names the root base path. */
function basePathOf(raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw === '(none)') return '';
  return `/${raw.replace(/^\/+|\/+$/g, '')}`;
}

export async function readDeclaredRestApis(options: ReadDeclaredRestApisOptions): Promise<DeclaredRestApis> {
  const { client } = options;
  const timing = options.timing ?? realTiming;
  const retries = options.throttleRetries ?? 5;
  const pages = <T>(fetch: (position: string | undefined) => Promise<Page<T>>) => allPages(fetch, retries, timing);
  const at = (position: string | undefined) => ({ limit: PAGE_LIMIT, ...(position ? { position } : {}) });

  const listed = await pages((position) => client.send(new GetRestApisCommand(at(position))));
  const wanted = options.apiIds ? new Set(options.apiIds) : undefined;
  const selected = listed.filter((api) => api.id !== undefined && (wanted === undefined || wanted.has(api.id)));
  const missing = [...(wanted ?? [])].filter((id) => !selected.some((api) => api.id === id));
  if (selected.length === 0) return { apis: [], missing };

  const region = await client.config.region();
  const mappings = new Map<string, RestApiMapping[]>();
  for (const api of selected) {
    const own = api.disableExecuteApiEndpoint
      ? []
      : [{ host: `${api.id}.execute-api.${region}.amazonaws.com`, basePath: '' }];
    mappings.set(api.id as string, own);
  }
  const domains = await pages((position) => client.send(new GetDomainNamesCommand(at(position))));
  for (const domain of domains) {
    const domainName = domain.domainName;
    if (domainName === undefined) continue;
    const basePaths = await pages((position) =>
      client.send(new GetBasePathMappingsCommand({ domainName, ...at(position) })),
    );
    for (const m of basePaths) {
      const list = m.restApiId === undefined ? undefined : mappings.get(m.restApiId);
      if (!list) continue;
      list.push({
        host: domainName.toLowerCase(),
        basePath: basePathOf(m.basePath),
        ...(m.stage ? { stage: m.stage } : {}),
      });
    }
  }

  const apis: DeclaredRestApi[] = [];
  for (const api of selected) {
    const restApiId = api.id as string;
    // `embed=methods` puts each resource's methods in `resourceMethods`: one listing, no GetMethod per method.
    const items = await pages((position) =>
      client.send(new GetResourcesCommand({ restApiId, embed: ['methods'], ...at(position) })),
    );
    const resources: GatewayResource[] = items.flatMap((r) =>
      r.path === undefined
        ? []
        : [{ path: r.path, ...(r.resourceMethods ? { resourceMethods: r.resourceMethods } : {}) }],
    );
    apis.push({
      apiId: restApiId,
      ...(api.name ? { name: api.name } : {}),
      resources,
      mappings: mappings.get(restApiId) ?? [],
    });
  }
  return { apis, missing };
}
