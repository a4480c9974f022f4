/**
 * Counts what the DynamoDB store consumed, from `ReturnConsumedCapacity: TOTAL` on every call. The bench reads it
 * (write units per 1,000 records is Lantern's main running cost); the ingest handler logs it per invocation.
 */
export interface CapacityMeter {
  readUnits: number;
  writeUnits: number;
  /** Requests sent, by kind. */
  readRequests: number;
  writeRequests: number;
  /** Items written (puts and deletes, chunks included). */
  itemsWritten: number;
  /** Write units and items by collection (where the store knows it). */
  byCollection: Record<string, WriteBreakdown>;
  /**
   * The same by kind of document: `<collection>/<the id's lowercase prefix before a ':'>` (an entity's type,
   * `meta/run`, `discovery/host`; `*` for ids without one, e.g. endpoints): where the units go, for the bench.
   */
  byKind: Record<string, WriteBreakdown>;
}

export interface WriteBreakdown {
  writeUnits: number;
  items: number;
  /** Documents written for the first time (version 1). */
  created: number;
  /** Document writes by the units each cost: `1`, `2`, `3`, `4+` (items over 1 KB cost one unit per started KB). */
  byUnits: Record<string, number>;
}

export function createCapacityMeter(): CapacityMeter {
  return {
    readUnits: 0,
    writeUnits: 0,
    readRequests: 0,
    writeRequests: 0,
    itemsWritten: 0,
    byCollection: {},
    byKind: {},
  };
}

export function resetCapacityMeter(meter: CapacityMeter): void {
  Object.assign(meter, createCapacityMeter());
}

function breakdown(into: Record<string, WriteBreakdown>, name: string): WriteBreakdown {
  let target = into[name];
  if (!target) {
    target = { writeUnits: 0, items: 0, created: 0, byUnits: {} };
    into[name] = target;
  }
  return target;
}

function addBreakdown(into: WriteBreakdown, from: WriteBreakdown): void {
  into.writeUnits += from.writeUnits;
  into.items += from.items;
  into.created += from.created;
  for (const [units, count] of Object.entries(from.byUnits)) into.byUnits[units] = (into.byUnits[units] ?? 0) + count;
}

/** `into - from`, per name: what was consumed between two snapshots of a meter. */
export function subtractBreakdowns(
  into: Record<string, WriteBreakdown>,
  from: Record<string, WriteBreakdown>,
): Record<string, WriteBreakdown> {
  const out: Record<string, WriteBreakdown> = {};
  for (const [name, now] of Object.entries(into)) {
    const before = from[name];
    const byUnits: Record<string, number> = {};
    for (const [units, count] of Object.entries(now.byUnits)) {
      const diff = count - (before?.byUnits[units] ?? 0);
      if (diff > 0) byUnits[units] = diff;
    }
    out[name] = {
      writeUnits: now.writeUnits - (before?.writeUnits ?? 0),
      items: now.items - (before?.items ?? 0),
      created: now.created - (before?.created ?? 0),
      byUnits,
    };
  }
  return out;
}

export function addCapacity(into: CapacityMeter, from: CapacityMeter): void {
  into.readUnits += from.readUnits;
  into.writeUnits += from.writeUnits;
  into.readRequests += from.readRequests;
  into.writeRequests += from.writeRequests;
  into.itemsWritten += from.itemsWritten;
  for (const [name, c] of Object.entries(from.byCollection)) addBreakdown(breakdown(into.byCollection, name), c);
  for (const [name, c] of Object.entries(from.byKind)) addBreakdown(breakdown(into.byKind, name), c);
}

type Consumed = { CapacityUnits?: number | undefined } | undefined;

export function addReadUnits(meter: CapacityMeter | undefined, consumed: Consumed | Consumed[]): void {
  if (!meter) return;
  meter.readRequests++;
  for (const c of Array.isArray(consumed) ? consumed : [consumed]) meter.readUnits += c?.CapacityUnits ?? 0;
}

/** What one document write was, when the store knows it (a put or delete of one document). */
export interface DocumentWrite {
  collection: string;
  id: string;
  /** True for a document's first version. */
  created?: boolean;
}

export function addWriteUnits(
  meter: CapacityMeter | undefined,
  consumed: Consumed | Consumed[],
  items: number,
  document?: DocumentWrite,
): void {
  if (!meter) return;
  meter.writeRequests++;
  meter.itemsWritten += items;
  let units = 0;
  for (const c of Array.isArray(consumed) ? consumed : [consumed]) units += c?.CapacityUnits ?? 0;
  meter.writeUnits += units;
  if (document === undefined) return;
  const kind = `${document.collection}/${/^[a-z-]+(?=:)/.exec(document.id)?.[0] ?? '*'}`;
  const size = units >= 4 ? '4+' : String(Math.ceil(units));
  for (const target of [breakdown(meter.byCollection, document.collection), breakdown(meter.byKind, kind)]) {
    target.writeUnits += units;
    target.items += items;
    if (document.created) target.created++;
    target.byUnits[size] = (target.byUnits[size] ?? 0) + 1;
  }
}
