/**
 * The ingest function's Kinesis event source mapping: ONE definition, read by the CDK stack and by the local cloud's
 * poller (infra/local/poller.ts), so that both batch, retry and bisect alike. Plain data.
 *
 * Why these values (docs/data-model.md, "Write units"): the engine writes each touched document once per batch, so
 * DynamoDB cost per record falls with batch size — 10,000 records (Lambda's maximum; 6 MB payload at most) gathered
 * for up to 5 s. A failing batch is bisected (a poison record ends alone) and retried a bounded number of times;
 * unreadable records never fail a batch (they are counted rejections), so what is retried is a store outage.
 */
export const INGEST_EVENT_SOURCE_MAPPING = {
  batchSize: 10_000,
  maximumBatchingWindowSeconds: 5,
  startingPosition: 'TRIM_HORIZON',
  bisectBatchOnFunctionError: true,
  /** Retries of a failing batch before its records go to the on-failure destination. */
  maximumRetryAttempts: 10,
  /** Records older than a day are given up on (to the on-failure destination) rather than blocking the shard. */
  maximumRecordAgeSeconds: 86_400,
  reportBatchItemFailures: true,
  /** 1: a shard's records are applied in order (the engine's watermarks rely on it). */
  parallelizationFactor: 1,
} as const;
