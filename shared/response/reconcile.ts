/**
 * The safety net behind the `findings` stream. A finding revision can miss the responder: the ingest batch that
 * escalated it may fail to publish after the engine committed it (its retry is watermarked and reports no
 * findings), or its record may reach the stream's on-failure destination. The expirer therefore looks, on each run,
 * for open findings whose current revision has no decision record, and responds to them.
 * A grace period leaves the stream time to deliver first. If both get there anyway, the decision record keeps it to
 * one decision.
 */
import type { Finding } from '../detection/finding.js';
import { type Store, typed } from '../ports/store.js';
import { decisionDocId } from './state.js';

export interface ReconcileWindow {
  /** Only findings last seen after now − maxAgeMs (default 1 h). */
  maxAgeMs?: number;
  /** Only findings last seen before now − graceMs (default 5 min): the stream normally delivers within seconds. */
  graceMs?: number;
  pageSize?: number;
}

/** Open findings, seen within the window, whose current revision was never decided. */
export async function unansweredFindings(store: Store, now: number, window: ReconcileWindow = {}): Promise<Finding[]> {
  const from = now - (window.maxAgeMs ?? 3_600_000);
  const to = now - (window.graceMs ?? 300_000);
  const findings = typed<Finding>(store.findings);
  const candidates: Finding[] = [];
  let cursor: string | undefined;
  do {
    const page = await findings.list({ limit: window.pageSize ?? 500, ...(cursor ? { cursor } : {}) });
    for (const { value } of page.items) {
      if (value.status === 'open' && value.lastSeen >= from && value.lastSeen <= to) candidates.push(value);
    }
    cursor = page.cursor;
  } while (cursor);
  if (candidates.length === 0) return [];
  const decided = await store.actions.get(candidates.map((f) => decisionDocId(f.id, f.revision)));
  return candidates
    .filter((f) => !decided.has(decisionDocId(f.id, f.revision)))
    .sort((a, b) => a.lastSeen - b.lastSeen);
}
