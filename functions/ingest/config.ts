import { CLOUDFRONT_REALTIME_FIELDS } from '../../shared/decoders/index.js';
import { STATE_TABLE_ENV } from '../../shared/store/tables.js';

/** A function's configuration is wrong: names every problem at once, at cold start. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface IngestConfig {
  tableName: string;
  /** CloudFront real-time log fields as configured (undefined: Lantern's default set). */
  realtimeFields?: string[];
  behindCloudFront: boolean;
  /** The findings stream (name or ARN) new and escalated findings are published on, for the responder. */
  findingsStream?: string;
}

/** Environment variables of the ingest function (the CDK stack sets them; the local cloud too). */
export const INGEST_ENV = {
  table: STATE_TABLE_ENV,
  realtimeFields: 'LANTERN_CLOUDFRONT_FIELDS',
  behindCloudFront: 'LANTERN_APIGW_BEHIND_CLOUDFRONT',
  findingsStream: 'LANTERN_FINDINGS_STREAM',
} as const;

export function parseBoolean(value: string | undefined, name: string, problems: string[]): boolean {
  if (value === undefined || value === '') return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  problems.push(`${name} must be true or false, got "${value}"`);
  return false;
}

export function requireTable(env: Readonly<Record<string, string | undefined>>, problems: string[]): string {
  const table = env[STATE_TABLE_ENV]?.trim() ?? '';
  if (table === '') problems.push(`${STATE_TABLE_ENV} is not set (the DynamoDB state table's name)`);
  else if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table))
    problems.push(`${STATE_TABLE_ENV} "${table}" is not a DynamoDB table name`);
  return table;
}

export function loadIngestConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const problems: string[] = [];
  const tableName = requireTable(env, problems);
  let realtimeFields: string[] | undefined;
  const fields = env[INGEST_ENV.realtimeFields]?.trim();
  if (fields) {
    realtimeFields = fields
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
    const known = new Set<string>(CLOUDFRONT_REALTIME_FIELDS);
    const unknown = realtimeFields.filter((f) => !known.has(f));
    if (unknown.length > 0)
      problems.push(`${INGEST_ENV.realtimeFields} has unknown CloudFront real-time fields: ${unknown.join(', ')}`);
    if (!realtimeFields.includes('timestamp')) problems.push(`${INGEST_ENV.realtimeFields} must include timestamp`);
  }
  const behindCloudFront = parseBoolean(env[INGEST_ENV.behindCloudFront], INGEST_ENV.behindCloudFront, problems);
  const findingsStream = env[INGEST_ENV.findingsStream]?.trim() || undefined;
  if (findingsStream && !/^(arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/)?[\w.-]{1,128}$/.test(findingsStream)) {
    problems.push(`${INGEST_ENV.findingsStream} "${findingsStream}" is not a Kinesis stream name or ARN`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    tableName,
    behindCloudFront,
    ...(realtimeFields ? { realtimeFields } : {}),
    ...(findingsStream ? { findingsStream } : {}),
  };
}
