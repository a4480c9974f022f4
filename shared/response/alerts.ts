/**
 * Alerts: what a person reads. Built from a decision record; rendered as text (SNS email) here and as Block Kit by
 * the Slack adapter. One alert per finding revision (the decision record is the dedup key); more than
 * `digestThreshold` at once become one digest.
 */
import type { EntityRef } from '../baselines/entity.js';
import type { Alert, Digest, Notification } from '../ports/notifier.js';
import type { DecisionRecord } from './state.js';
import { describeTarget } from './state.js';

export function who(entity: EntityRef): string {
  switch (entity.type) {
    case 'ip':
      return `ip ${entity.id}`;
    case 'api-key':
      return `API key ${entity.id}`;
    case 'principal':
      return `principal ${entity.id}`;
    case 'session':
      return `session ${entity.id}`;
  }
}

/** What was done (or would have been), in one sentence. `extra` adds what happened at enforcement. */
export function actionSentence(record: DecisionRecord, extra?: string): string {
  const d = record.decision;
  const tail = extra ? ` ${extra}` : '';
  if (d.action === 'none' || !d.target || d.until === undefined) {
    return `No action: ${d.reasons.at(-1) ?? 'alert only'}.${tail}`;
  }
  const until = new Date(d.until).toISOString().replace('.000Z', 'Z');
  const verb =
    d.action === 'block'
      ? d.target.kind === 'ip'
        ? 'block in AWS WAF'
        : 'block in AWS WAF (API key rule)'
      : 'throttle (quarantine usage plan)';
  const what = `${verb} ${describeTarget(d.target)} until ${until}${d.extends ? ' (extended)' : ''}`;
  return record.mode === 'enforce' ? `Done: ${what}.${tail}` : `Monitor mode, nothing enforced: would ${what}.${tail}`;
}

export function consoleLink(template: string | undefined, findingId: string): string | undefined {
  if (!template) return undefined;
  return template.includes('{finding}') ? template.replace('{finding}', encodeURIComponent(findingId)) : template;
}

export function buildAlert(record: DecisionRecord, consoleUrl: string | undefined, extra?: string): Alert {
  const f = record.finding;
  const link = consoleLink(consoleUrl, record.findingId);
  return {
    id: `${record.findingId}#${record.revision}`,
    findingId: record.findingId,
    revision: record.revision,
    type: f.type,
    severity: f.severity,
    confidence: f.confidence,
    who: who(f.entity),
    ...(f.endpoint ? { endpoint: f.endpoint } : {}),
    summary: f.summary,
    evidence: f.evidence,
    actionTaken: actionSentence(record, extra),
    mode: record.mode,
    at: record.decidedAt,
    ...(link ? { consoleUrl: link } : {}),
  };
}

/** Individual alerts, or one digest when there are more than `threshold` (the worst listed first, up to `listed`). */
export function batchNotifications(
  alerts: readonly Alert[],
  threshold: number,
  at: number,
  consoleUrl?: string,
  listed = 20,
): Notification[] {
  if (alerts.length <= threshold) return alerts.map((alert) => ({ kind: 'alert', alert }));
  const order = ['critical', 'high', 'medium', 'low'];
  const sorted = [...alerts].sort(
    (a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || b.confidence - a.confidence,
  );
  const link = consoleLink(consoleUrl, '')?.replace(/[?#=]$/, '');
  const digest: Digest = {
    alerts: sorted.slice(0, listed),
    at,
    more: Math.max(0, sorted.length - listed),
    ...(link ? { consoleUrl: link } : {}),
  };
  return [{ kind: 'digest', digest }];
}

const SUBJECT_MAX = 100;

/** An email subject: ASCII-safe, one line, at most 100 characters (SNS's limit). */
export function subjectOf(notification: Notification): string {
  let subject: string;
  if (notification.kind === 'digest') {
    const n = notification.digest.alerts.length + notification.digest.more;
    const critical = notification.digest.alerts.filter((a) => a.severity === 'critical').length;
    subject = `[Lantern] ${n} findings${critical > 0 ? ` (${critical} critical)` : ''}`;
  } else {
    const a = notification.alert;
    const mode = a.mode === 'monitor' ? ' (monitor)' : '';
    subject = `[Lantern] ${a.severity.toUpperCase()} ${a.type} by ${a.who}${mode}`;
  }
  // SNS subjects: printable ASCII, no line breaks, must not start with whitespace.
  const ascii = subject
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3)}...`;
}

function evidenceLines(alert: Alert): string[] {
  return Object.entries(alert.evidence).map(([measure, value]) => {
    if (typeof value === 'object' && value !== null) {
      const parts = [`observed ${value.observed}`];
      if (value.baseline !== undefined) parts.push(`baseline ${value.baseline}`);
      if (value.threshold !== undefined) parts.push(`threshold ${value.threshold}`);
      return `  ${measure}: ${parts.join(', ')}`;
    }
    return `  ${measure}: ${value}`;
  });
}

/** A plain-text body: what, who, evidence, action taken, link. */
export function textOf(notification: Notification): string {
  if (notification.kind === 'digest') {
    const d = notification.digest;
    const lines = [`Lantern raised ${d.alerts.length + d.more} findings at ${new Date(d.at).toISOString()}.`, ''];
    for (const a of d.alerts) lines.push(`- ${a.severity.toUpperCase()} ${a.type} by ${a.who}: ${a.actionTaken}`);
    if (d.more > 0) lines.push(`- … and ${d.more} more`);
    if (d.consoleUrl) lines.push('', `Console: ${d.consoleUrl}`);
    return lines.join('\n');
  }
  const a = notification.alert;
  const lines = [
    a.summary,
    '',
    `What:       ${a.type}, severity ${a.severity}, confidence ${a.confidence.toFixed(2)}`,
    `Who:        ${a.who}`,
  ];
  if (a.endpoint) lines.push(`Where:      ${a.endpoint.method} ${a.endpoint.host}${a.endpoint.path}`);
  lines.push(
    `Action:     ${a.actionTaken}`,
    `When:       ${new Date(a.at).toISOString()}`,
    '',
    'Evidence:',
    ...evidenceLines(a),
  );
  lines.push('', `Finding:    ${a.findingId} (revision ${a.revision})`);
  if (a.consoleUrl) lines.push(`Console:    ${a.consoleUrl}`);
  return lines.join('\n');
}

export { evidenceLines };
