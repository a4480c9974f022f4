import type { ApiEvent } from '../events/api-event.js';
import type { EntityBaseline } from './entity-baseline.js';

/**
 * Who made a request. Each request is attributed to the strongest identity in it:
 * authenticated principal, then API key id, then session, then the client IP the edge saw.
 * An address that is a proxy (API Gateway's sourceIp behind CloudFront) is never an identity.
 * A request refused as unauthenticated that only an API key names is its address's (see `attributeEntity`).
 */
export type EntityType = 'principal' | 'api-key' | 'session' | 'ip';

export interface EntityRef {
  type: EntityType;
  id: string;
}

/** Stable store key of an entity. */
export function entityKey(ref: EntityRef): string {
  return `${ref.type}:${ref.id}`;
}

export function parseEntityKey(key: string): EntityRef | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return undefined;
  const type = key.slice(0, colon) as EntityType;
  if (type !== 'principal' && type !== 'api-key' && type !== 'session' && type !== 'ip') return undefined;
  return { type, id: key.slice(colon + 1) };
}

/**
 * The strongest identity of a request, or undefined when it carries none we may judge (only a proxy address).
 *
 * An API key names an application, not a person, and is often shipped inside clients: anyone may hold it. A request
 * refused as unauthenticated (401: the user's credentials failed, e.g. a failed login) shows only that someone tried
 * with the key, so it is the viewer address's when the log has one, and the key stays a link of that address. Behind
 * a proxy there is no such address: it stays the key's, and the response policy does not act on a key whose finding
 * shows no successful use of it (`policy.ts` `keyUseShown`). A 403 stays the key's: it is the key's own rights that
 * were refused, which is what object enumeration (BOLA) through a key looks like.
 * A principal is the gateway's validated caller: its refusals are its own.
 */
export function attributeEntity(event: ApiEvent): EntityRef | undefined {
  if (event.principal) return { type: 'principal', id: event.principal };
  if (event.apiKeyId) {
    const address = event.status === 401 ? viewerIp(event) : undefined;
    return address ? { type: 'ip', id: address } : { type: 'api-key', id: event.apiKeyId };
  }
  if (event.session) return { type: 'session', id: event.session };
  if (event.clientIp && !event.clientIpIsProxy) return { type: 'ip', id: event.clientIp };
  return undefined;
}

/** The client address of a request when it is the viewer's own (never a proxy, never X-Forwarded-For). */
export function viewerIp(event: ApiEvent): string | undefined {
  return event.clientIp && !event.clientIpIsProxy ? event.clientIp : undefined;
}

/** How many linked addresses / keys an entity remembers by name. */
export const MAX_LINKS = 20;

/** One caller, as stored: what it did, aggregated; later issues add its baseline. */
export interface EntityRecord {
  type: EntityType;
  id: string;
  requests: number;
  firstSeen: number;
  lastSeen: number;
  /** 0..100, from its open findings. */
  risk: number;
  statusCounts: Record<string, number>;
  /** Other identities seen on this entity's requests: addresses for a key, keys for an address. Bounded. */
  links: { ips: string[]; apiKeys: string[]; principals: string[] };
  userAgents: string[];
  /** What detection learnt about this caller (entity-baseline.ts); absent until detection has seen it. */
  baseline?: EntityBaseline;
}

export function newEntityRecord(ref: EntityRef, time: number): EntityRecord {
  return {
    type: ref.type,
    id: ref.id,
    requests: 0,
    firstSeen: time,
    lastSeen: time,
    risk: 0,
    statusCounts: {},
    links: { ips: [], apiKeys: [], principals: [] },
    userAgents: [],
  };
}

function link(list: string[], value: string | undefined, self: string): void {
  if (!value || value === self || list.length >= MAX_LINKS || list.includes(value)) return;
  list.push(value);
}

export function recordEntityRequest(record: EntityRecord, event: ApiEvent): void {
  record.requests++;
  if (event.time < record.firstSeen) record.firstSeen = event.time;
  if (event.time > record.lastSeen) record.lastSeen = event.time;
  const status = String(event.status);
  record.statusCounts[status] = (record.statusCounts[status] ?? 0) + 1;
  link(record.links.ips, viewerIp(event), record.id);
  link(record.links.apiKeys, event.apiKeyId, record.id);
  link(record.links.principals, event.principal, record.id);
  if (event.userAgent && record.userAgents.length < 5 && !record.userAgents.includes(event.userAgent)) {
    record.userAgents.push(event.userAgent.slice(0, 256));
  }
}
