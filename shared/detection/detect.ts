import type { ApiEvent } from '../events/api-event.js';
import type { EntityRef } from '../baselines/entity.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { EndpointRef, Finding } from './finding.js';
import type { StoredEndpoint, StoredEntity } from '../engine/analyze.js';

/** One request after attribution and discovery: what detection sees. */
export interface ObservedRequest {
  event: ApiEvent;
  /** Undefined when the request carried no identity we may judge (only a proxy address). */
  entity?: EntityRef;
  entityKey?: string;
  endpointKey: string;
  endpoint: EndpointRef;
  /** Values of the endpoint template's parameters, in template order (object ids, for enumeration). */
  params?: readonly string[];
  /** The Kinesis sequence number of the record, when it came from a stream. */
  sequence?: string;
}

export interface DetectionInput {
  /** Requests of this batch not seen before, in delivery order. */
  requests: readonly ObservedRequest[];
  /** The entity and endpoint documents this batch touched, already updated with its requests; changes made here are saved. */
  entities: ReadonlyMap<string, StoredEntity>;
  endpoints: ReadonlyMap<string, StoredEndpoint>;
  shard?: string;
  store: Store;
  clock: Clock;
}

/**
 * Baselines and detectors over one batch. Returns the findings opened or escalated by it.
 * Issue #4 fills this in; until then nothing is detected and the report's findings stay empty.
 */
export async function detect(_input: DetectionInput): Promise<Finding[]> {
  return [];
}
