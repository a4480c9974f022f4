/**
 * Alerts to Slack through an incoming webhook. The webhook URL is a secret (anyone holding it can post to the
 * channel): it lives in Secrets Manager and is read once at cold start (`readSlackWebhookUrl`).
 * The message is Block Kit: what, who, evidence, action taken, a link to the console; `text` is the notification
 * fallback.
 */
import type { Alert, Notification, Notifier } from '../../ports/notifier.js';
import { NotifyError } from '../../ports/notifier.js';
import { evidenceLines, subjectOf } from '../../response/alerts.js';

export class SlackConfigError extends Error {
  override name = 'SlackConfigError';
}

/**
 * The webhook URL from the secret's string: the URL itself, or JSON `{"webhookUrl": "..."}` / `{"url": "..."}`.
 * Must be https://hooks.slack.com/… (http://localhost only when `allowLocal`, for tests and the local cloud).
 */
export function parseWebhookSecret(secret: string, allowLocal = false): string {
  let url = secret.trim();
  if (url.startsWith('{')) {
    try {
      const parsed = JSON.parse(url) as { webhookUrl?: unknown; url?: unknown };
      url = String(parsed.webhookUrl ?? parsed.url ?? '');
    } catch {
      throw new SlackConfigError('the Slack secret is neither a URL nor JSON with "webhookUrl"');
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SlackConfigError('the Slack secret does not hold a URL');
  }
  const local = parsed.protocol === 'http:' && (parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1');
  if (local && allowLocal) return url;
  if (parsed.protocol !== 'https:' || parsed.hostname !== 'hooks.slack.com') {
    throw new SlackConfigError(
      `the Slack webhook must be an https://hooks.slack.com/ URL, got host "${parsed.hostname}"`,
    );
  }
  return url;
}

/** Reads the webhook URL once (cold start). `getSecret` is the Secrets Manager call (see functions/responder). */
export async function readSlackWebhookUrl(
  getSecret: (secretId: string) => Promise<string | undefined>,
  secretId: string,
  allowLocal = false,
): Promise<string> {
  const value = await getSecret(secretId);
  if (!value) throw new SlackConfigError(`secret ${secretId} has no string value`);
  return parseWebhookSecret(value, allowLocal);
}

/** Slack mrkdwn: &, <, > must be escaped. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const SEVERITY_MARK: Record<Alert['severity'], string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};

type Block = Record<string, unknown>;

function section(markdown: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(markdown, 3000) } };
}

function alertBlocks(a: Alert): Block[] {
  const blocks: Block[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`${a.severity.toUpperCase()} ${a.type}${a.mode === 'monitor' ? ' (monitor mode)' : ''}`, 150),
        emoji: true,
      },
    },
    section(`${SEVERITY_MARK[a.severity]} ${esc(a.summary)}`),
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Who*\n${esc(a.who)}` },
        {
          type: 'mrkdwn',
          text: `*Where*\n${a.endpoint ? esc(`${a.endpoint.method} ${a.endpoint.host}${a.endpoint.path}`) : '—'}`,
        },
        { type: 'mrkdwn', text: `*Confidence*\n${a.confidence.toFixed(2)}` },
        { type: 'mrkdwn', text: `*Mode*\n${a.mode}` },
      ],
    },
    section(
      `*Evidence*\n${
        evidenceLines(a)
          .map((l) => `• ${esc(l.trim())}`)
          .join('\n') || '—'
      }`,
    ),
    section(`*Action taken*\n${esc(a.actionTaken)}`),
  ];
  if (a.consoleUrl) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in Lantern' },
          url: a.consoleUrl,
          action_id: 'open-finding',
        },
      ],
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: esc(`Finding ${a.findingId} · revision ${a.revision} · ${new Date(a.at).toISOString()}`),
      },
    ],
  });
  return blocks;
}

/** The webhook payload for a notification. */
export function slackMessage(notification: Notification): { text: string; blocks: Block[] } {
  const text = subjectOf(notification);
  if (notification.kind === 'alert') return { text, blocks: alertBlocks(notification.alert) };
  const d = notification.digest;
  const lines = d.alerts.map(
    (a) => `${SEVERITY_MARK[a.severity]} *${a.severity}* ${esc(a.type)} by ${esc(a.who)}: ${esc(a.actionTaken)}`,
  );
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`Lantern: ${d.alerts.length + d.more} findings`, 150), emoji: true },
    },
  ];
  // A section holds 3,000 characters: several when the list is long (Slack allows 50 blocks).
  let chunk: string[] = [];
  for (const line of lines) {
    if ([...chunk, line].join('\n').length > 2900) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
    }
    chunk.push(line);
  }
  if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
  if (d.more > 0) blocks.push(section(`… and ${d.more} more.`));
  if (d.consoleUrl)
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in Lantern' },
          url: d.consoleUrl,
          action_id: 'open-findings',
        },
      ],
    });
  return { text, blocks: blocks.slice(0, 50) };
}

export function createSlackNotifier(options: {
  webhookUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): Notifier {
  const send = options.fetch ?? fetch;
  return {
    async notify(notification) {
      let response: Response;
      try {
        response = await send(options.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(slackMessage(notification)),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
      } catch (error: unknown) {
        throw new NotifyError(`Slack webhook unreachable: ${error instanceof Error ? error.message : String(error)}`);
      }
      const body = await response.text();
      if (!response.ok) {
        // 429 carries Retry-After: the event is retried by the stream, later.
        throw new NotifyError(`Slack webhook answered ${response.status}: ${clip(body, 200)}`);
      }
    },
  };
}
