/**
 * docs/deploy.md quotes the stack's sources of truth (the access-log format, the real-time field set, the ingest
 * defaults the cost estimate is computed from): it must keep quoting them as they are.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { INGEST_EVENT_SOURCE_MAPPING } from '../../functions/ingest/mapping.js';
import { CONFIG_KEYS, parseConfig } from '../../infra/config.js';
import { REPO_ROOT } from '../../infra/constructs/function.js';
import { RECOMMENDED_APIGW_ACCESS_LOG_FORMAT } from '../../shared/decoders/apigw.js';
import { DEFAULT_REALTIME_FIELDS } from '../../shared/decoders/cloudfront-realtime.js';

const guide = readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
/** The guide with its line wraps undone. */
const prose = guide.replace(/\s+/g, ' ');

describe('docs/deploy.md', () => {
  test('quotes the recommended access-log format verbatim', () => {
    expect(guide).toContain(
      `path=/accessLogSettings/format,value=${JSON.stringify(RECOMMENDED_APIGW_ACCESS_LOG_FORMAT)}'`,
    );
  });

  test("lists the real-time log configuration's fields", () => {
    expect(prose).toContain(`\`${DEFAULT_REALTIME_FIELDS.join(', ')}\``);
  });

  test('computes the cost from the ingest defaults the stack deploys', () => {
    const { ingest } = parseConfig({ region: 'us-east-1' });
    expect(prose).toContain(
      `\`batchSize\` ${ingest.batchSize.toLocaleString('en-US')} · \`batchWindowSeconds\` ${ingest.batchWindowSeconds}`,
    );
    expect(prose).toContain(
      `closes a batch at ${ingest.batchSize.toLocaleString('en-US')} records or after the window (${ingest.batchWindowSeconds} s by default)`,
    );
    expect(INGEST_EVENT_SOURCE_MAPPING.parallelizationFactor).toBe(1);
    expect(prose).toContain(`at ${ingest.memoryMb.toLocaleString('en-US')} MB`);
  });

  test('documents every configuration key', () => {
    for (const key of CONFIG_KEYS) expect(guide).toContain(`| \`${key}\` |`);
  });

  test('has the architecture diagram', () => {
    expect(guide).toMatch(/```mermaid\nflowchart LR/);
  });
});
