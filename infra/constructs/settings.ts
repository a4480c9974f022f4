/**
 * The capacity settings of the stack's resources, as plain data: the constructs build from them, and the capacity
 * model (infra/capacity/model.ts) reads the same values, so that a change here changes both the deployment and
 * its cost/scaling figures. No CDK import: the model stays a pure module.
 * The ingest mapping lives in functions/ingest/mapping.ts (the local poller shares it); its tunable parts are in
 * infra/config.ts (IngestTuning).
 */

/** The log stream: on-demand (Kinesis sizes the shards), a day of retention. */
export const LOG_STREAM = { mode: 'ON_DEMAND', retentionHours: 24 } as const;

/** The findings stream: one provisioned shard, so the responder is the single writer to WAF and usage plans. */
export const FINDINGS_STREAM = { mode: 'PROVISIONED', shardCount: 1, retentionHours: 24 } as const;

/** The responder's event source mapping on the findings stream. */
export const RESPONDER_EVENT_SOURCE_MAPPING = {
  batchSize: 50,
  maximumBatchingWindowSeconds: 2,
  parallelizationFactor: 1,
  maximumRetryAttempts: 10,
  maximumRecordAgeSeconds: 6 * 3600,
} as const;

/** Memory of each function, MB (the ingest function's is configurable: infra/config.ts, ingest.memoryMb). */
export const FUNCTION_MEMORY_MB = {
  sweeper: 512,
  responder: 512,
  expirer: 256,
  consoleApi: 1024,
  /** LanternFunction's default. */
  default: 512,
} as const;

/** How often the scheduled functions run, minutes. */
export const SCHEDULE_MINUTES = { sweeper: 15, expirer: 1 } as const;
