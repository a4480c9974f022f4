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
  byCollection: Record<string, { writeUnits: number; items: number }>;
}

export function createCapacityMeter(): CapacityMeter {
  return { readUnits: 0, writeUnits: 0, readRequests: 0, writeRequests: 0, itemsWritten: 0, byCollection: {} };
}

export function resetCapacityMeter(meter: CapacityMeter): void {
  Object.assign(meter, createCapacityMeter());
}

function collectionMeter(meter: CapacityMeter, name: string): { writeUnits: number; items: number } {
  let target = meter.byCollection[name];
  if (!target) {
    target = { writeUnits: 0, items: 0 };
    meter.byCollection[name] = target;
  }
  return target;
}

export function addCapacity(into: CapacityMeter, from: CapacityMeter): void {
  into.readUnits += from.readUnits;
  into.writeUnits += from.writeUnits;
  into.readRequests += from.readRequests;
  into.writeRequests += from.writeRequests;
  into.itemsWritten += from.itemsWritten;
  for (const [name, c] of Object.entries(from.byCollection)) {
    const target = collectionMeter(into, name);
    target.writeUnits += c.writeUnits;
    target.items += c.items;
  }
}

type Consumed = { CapacityUnits?: number | undefined } | undefined;

export function addReadUnits(meter: CapacityMeter | undefined, consumed: Consumed | Consumed[]): void {
  if (!meter) return;
  meter.readRequests++;
  for (const c of Array.isArray(consumed) ? consumed : [consumed]) meter.readUnits += c?.CapacityUnits ?? 0;
}

export function addWriteUnits(
  meter: CapacityMeter | undefined,
  consumed: Consumed | Consumed[],
  items: number,
  collection?: string,
): void {
  if (!meter) return;
  meter.writeRequests++;
  meter.itemsWritten += items;
  let units = 0;
  for (const c of Array.isArray(consumed) ? consumed : [consumed]) units += c?.CapacityUnits ?? 0;
  meter.writeUnits += units;
  if (collection !== undefined) {
    const target = collectionMeter(meter, collection);
    target.writeUnits += units;
    target.items += items;
  }
}
