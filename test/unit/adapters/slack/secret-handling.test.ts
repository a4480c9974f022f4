/**
 * Secret handling (docs/threat-model.md, T7): the Slack webhook URL is the secret (its path is the token). It is
 * read from Secrets Manager at cold start and must never be echoed into an error (errors are logged, and alerts
 * about failures reach people): not when the secret is malformed, not when the webhook cannot be reached.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createSlackNotifier,
  parseWebhookSecret,
  readSlackWebhookUrl,
} from '../../../../shared/adapters/slack/slack-notifier.js';
import { makeAlert } from '../../response/alert-fixtures.js';

const TOKEN = 'T0SECRET/B0SECRET/xoxSECRETtoken';

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the Slack webhook secret', () => {
  it.each([
    [`http://hooks.slack.com/services/${TOKEN}`],
    [`https://hooks.slack.example/services/${TOKEN}`],
    [`{"webhookUrl": "https://evil.example/services/${TOKEN}"}`],
    [`{"webhookUrl": "not a url ${TOKEN}"}`],
    [`{ broken json ${TOKEN}`],
  ])('a malformed secret is refused without quoting it: %s', (secret) => {
    expect(() => parseWebhookSecret(secret)).toThrow();
    try {
      parseWebhookSecret(secret);
    } catch (error: unknown) {
      expect(String(error)).not.toContain('SECRET');
    }
  });

  it('an empty secret names the secret id, never a value', async () => {
    await expect(readSlackWebhookUrl(async () => '', 'lantern/slack-webhook')).rejects.toThrow(
      /lantern\/slack-webhook/,
    );
  });

  it('an unreachable webhook fails the notification without the URL in the error', async () => {
    // Prepare: a real connection refused on loopback.
    const port = await closedPort();
    const notifier = createSlackNotifier({ webhookUrl: `http://127.0.0.1:${port}/services/${TOKEN}`, timeoutMs: 2000 });
    // Act
    const failure = await notifier.notify({ kind: 'alert', alert: makeAlert() }).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure)).not.toContain('SECRET');
  });
});
