/**
 * Finding events: how a new or escalated finding travels from the engine to the responder.
 *
 * The ingest Lambda publishes each finding of `BatchEffects.findings` (opened, reopened or escalated by the batch,
 * each with its `revision`) as one JSON record onto the Kinesis stream `findings`, partition key = the finding's
 * entity (so that everything about one caller is read in order). The responder consumes that stream. Kinesis, not
 * DynamoDB Streams: the local cloud runs it for real (kinesalite), and a record per finding revision is exactly
 * the unit the responder makes idempotent (`finding:<id>#<revision>` in `store.actions`).
 */
import { entityKey } from '../baselines/entity.js';
import { FINDING_TYPES, type Finding, SEVERITIES } from '../detection/finding.js';

export const FINDING_EVENT_KIND = 'lantern.finding';
export const FINDING_EVENT_VERSION = 1;

export interface FindingEvent {
  kind: typeof FINDING_EVENT_KIND;
  version: typeof FINDING_EVENT_VERSION;
  /** When the engine published it, epoch ms. */
  publishedAt: number;
  finding: Finding;
}

/** The port: where the engine's findings go. */
export interface FindingPublisher {
  /** Publishes every finding or throws (the caller fails its batch: the engine's watermarks make a retry cheap). */
  publish(findings: readonly Finding[]): Promise<void>;
}

export function toFindingEvent(finding: Finding, publishedAt: number): FindingEvent {
  return { kind: FINDING_EVENT_KIND, version: FINDING_EVENT_VERSION, publishedAt, finding };
}

/** The record's partition key: the finding's entity. */
export function partitionKeyOf(finding: Finding): string {
  return entityKey(finding.entity).slice(0, 256);
}

export function encodeFindingEvent(event: FindingEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

export class FindingEventError extends Error {
  override name = 'FindingEventError';
}

/** Reads one record; throws FindingEventError naming what is wrong (a poison record, never retried into success). */
export function decodeFindingEvent(bytes: Uint8Array | string): FindingEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch {
    throw new FindingEventError('not JSON');
  }
  const e = parsed as Partial<FindingEvent> | null;
  if (!e || typeof e !== 'object') throw new FindingEventError('not an object');
  if (e.kind !== FINDING_EVENT_KIND) throw new FindingEventError(`kind is not ${FINDING_EVENT_KIND}`);
  if (e.version !== FINDING_EVENT_VERSION) throw new FindingEventError(`unsupported version ${String(e.version)}`);
  const f = e.finding as Partial<Finding> | undefined;
  if (!f || typeof f !== 'object') throw new FindingEventError('no finding');
  const problems: string[] = [];
  if (typeof f.id !== 'string' || f.id === '') problems.push('id');
  if (!(FINDING_TYPES as readonly string[]).includes(f.type as string)) problems.push('type');
  if (!SEVERITIES.includes(f.severity as Finding['severity'])) problems.push('severity');
  if (typeof f.confidence !== 'number') problems.push('confidence');
  if (!f.entity || typeof f.entity.id !== 'string' || typeof f.entity.type !== 'string') problems.push('entity');
  if (!Number.isInteger(f.revision) || (f.revision as number) < 1) problems.push('revision');
  if (typeof e.publishedAt !== 'number') problems.push('publishedAt');
  if (problems.length > 0) throw new FindingEventError(`invalid fields: ${problems.join(', ')}`);
  return e as FindingEvent;
}
