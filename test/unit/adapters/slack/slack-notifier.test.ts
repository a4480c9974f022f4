import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSlackNotifier,
  parseWebhookSecret,
  readSlackWebhookUrl,
  SlackConfigError,
} from '../../../../shared/adapters/slack/slack-notifier.js';
import { NotifyError } from '../../../../shared/ports/notifier.js';
import { makeAlert } from '../../response/alert-fixtures.js';

interface SlackBlock {
  type: string;
  text?: { text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ url?: string }>;
}

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base = '';
const received: Received[] = [];
let answer: { status: number; body: string } = { status: 200, body: 'ok' };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  answer = { status: 200, body: 'ok' };
});

describe('Slack notifier', () => {
  it('posts a Block Kit message to the webhook: what, who, evidence, action, console link', async () => {
    // Prepare
    const notifier = createSlackNotifier({ webhookUrl: `${base}/services/T000/B000/XXXX` });
    // Act
    await notifier.notify({ kind: 'alert', alert: makeAlert({ summary: 'a <script> & co' }) });
    // Assess
    expect(received).toHaveLength(1);
    const request = received[0] as Received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/services/T000/B000/XXXX');
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    const message = JSON.parse(request.body) as { text: string; blocks: SlackBlock[] };
    expect(message.text).toBe('[Lantern] CRITICAL credential-stuffing by ip 45.33.32.156');
    expect(message.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'actions',
      'context',
    ]);
    expect(message.blocks[0]?.text?.text).toBe('CRITICAL credential-stuffing');
    expect(message.blocks[1]?.text?.text).toBe(':red_circle: a &lt;script&gt; &amp; co');
    expect(message.blocks[2]?.fields?.map((f: { text: string }) => f.text)).toEqual([
      '*Who*\nip 45.33.32.156',
      '*Where*\nPOST api.example.com/login',
      '*Confidence*\n0.93',
      '*Mode*\nenforce',
    ]);
    expect(message.blocks[3]?.text?.text).toBe(
      '*Evidence*\n• failedLoginsPer10Min: observed 240, threshold 20\n• successfulLogins: 0',
    );
    expect(message.blocks[4]?.text?.text).toMatch(/^\*Action taken\*\nDone: block in AWS WAF/);
    expect(message.blocks[5]?.elements?.[0]?.url).toBe('https://lantern.example.com/findings/x');
  });

  it('posts a digest as one message', async () => {
    const notifier = createSlackNotifier({ webhookUrl: `${base}/hook` });
    await notifier.notify({
      kind: 'digest',
      digest: { alerts: [makeAlert(), makeAlert({ severity: 'high' })], more: 0, at: 0 },
    });
    const message = JSON.parse(received[0]?.body ?? '{}') as { blocks: SlackBlock[] };
    expect(message.blocks[0]?.text?.text).toBe('Lantern: 2 findings');
    expect(message.blocks[1]?.text?.text.split('\n')).toHaveLength(2);
  });

  it('throws NotifyError when Slack refuses (the event is retried)', async () => {
    answer = { status: 404, body: 'no_service' };
    const notifier = createSlackNotifier({ webhookUrl: `${base}/revoked` });
    await expect(notifier.notify({ kind: 'alert', alert: makeAlert() })).rejects.toThrow(
      new NotifyError('Slack webhook answered 404: no_service'),
    );
  });

  it('reads the webhook URL from the secret once, as a URL or JSON, and refuses anything but hooks.slack.com', async () => {
    const calls: string[] = [];
    const getSecret = async (id: string) => {
      calls.push(id);
      return JSON.stringify({ webhookUrl: 'https://hooks.slack.com/services/T1/B1/abc' });
    };
    expect(await readSlackWebhookUrl(getSecret, 'lantern/slack')).toBe('https://hooks.slack.com/services/T1/B1/abc');
    expect(calls).toEqual(['lantern/slack']);
    expect(() => parseWebhookSecret('https://evil.example.com/x')).toThrow(SlackConfigError);
    expect(() => parseWebhookSecret('http://127.0.0.1:9/x')).toThrow(SlackConfigError);
    expect(parseWebhookSecret('http://127.0.0.1:9/x', true)).toBe('http://127.0.0.1:9/x');
    await expect(readSlackWebhookUrl(async () => undefined, 'missing')).rejects.toThrow(/has no string value/);
  });
});
