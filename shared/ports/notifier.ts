/**
 * The Notifier port: tells people. Adapters: SNS (email) and Slack (incoming webhook). An alert is already decided,
 * deduplicated and rate-limited by the responder (shared/response/alerts.ts): a notifier only delivers.
 */
import type { EndpointRef, Evidence, FindingType, Severity } from '../detection/finding.js';

export interface Alert {
  /** Dedup key: `<finding id>#<revision>`. */
  id: string;
  findingId: string;
  revision: number;
  type: FindingType;
  severity: Severity;
  confidence: number;
  /** Who: `ip 45.1.2.3`, `API key abc123`, `principal alice`. */
  who: string;
  endpoint?: EndpointRef;
  summary: string;
  evidence: Evidence;
  /** What Lantern did or would have done, in words: `Blocked 45.1.2.3 in AWS WAF until …`, `Monitor mode: would block …`. */
  actionTaken: string;
  mode: 'monitor' | 'enforce';
  at: number;
  consoleUrl?: string;
}

/** Many alerts at once: one message. */
export interface Digest {
  alerts: Alert[];
  at: number;
  /** Alerts left out of the list (only counted). */
  more: number;
  consoleUrl?: string;
}

export type Notification = { kind: 'alert'; alert: Alert } | { kind: 'digest'; digest: Digest };

export interface Notifier {
  /** Delivers one notification; throws NotifyError when the channel refused it (the caller retries the event). */
  notify(notification: Notification): Promise<void>;
}

export class NotifyError extends Error {
  override name = 'NotifyError';
}

/** Sends to several channels; one failing does not stop the others, then the first error is thrown. */
export function fanOut(notifiers: readonly Notifier[]): Notifier {
  return {
    async notify(notification) {
      const results = await Promise.allSettled(notifiers.map((n) => n.notify(notification)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason instanceof Error ? failed.reason : new NotifyError(String(failed.reason));
    },
  };
}
