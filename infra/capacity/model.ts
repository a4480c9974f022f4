/**
 * Lantern's capacity and cost model: for a request rate, what the deployed stack needs from Kinesis, Lambda and
 * DynamoDB, what it costs per 100 million requests, and which limit is reached first as the rate grows.
 * Pure: every input is a parameter (the stack's settings, measured per-record figures, prices and limits);
 * infra/capacity/cli.ts fills them from the stack's code and bench-out/, docs/scaling.md explains them.
 *
 * The shape of the pipeline it models: CloudFront real-time logs put one Kinesis record per request line on the
 * on-demand log stream; the ingest function's event source mapping reads each shard one batch at a time
 * (parallelization factor 1: the engine applies a shard's records in order), a batch closing at its size, its
 * window or Lambda's 6 MB payload; the engine writes each document a batch touches once, so write units per record
 * fall as batches grow. Prices and limits: /work/shared/reference/aws-logs-and-limits.md (copied into
 * AWS_PRICES/AWS_LIMITS with their source) and the AWS quota pages named where used.
 */
import { worstCaseBlockedAddresses } from '../../shared/response/config.js';

export interface StackSettings {
  /** Percent of requests CloudFront sends (config samplingRate). */
  samplingRatePercent: number;
  ingest: {
    batchSize: number;
    batchWindowSeconds: number;
    parallelizationFactor: number;
    memoryMb: number;
  };
  logStreamMode: 'ON_DEMAND' | 'PROVISIONED';
  /** Partition-key buckets of each collection (shared/store/tables.ts COLLECTION_BUCKETS). */
  buckets: Readonly<Record<string, number>>;
  /** Response policy: the cap on new blocks per hour and the longest a block can last. */
  maxNewBlocksPerHour: number;
  maxBlockHours: number;
  /** Fixed-rate functions: memory (MB) and runs per hour. */
  scheduled: ReadonlyArray<{ name: string; memoryMb: number; runsPerHour: number; durationSeconds: number }>;
}

/** Per-record figures measured on this code base (the CLI says where each came from). */
export interface Measured {
  /** Kinesis bytes per log record (CloudFront real-time line as the encoder writes it). */
  bytesPerRecord: number;
  /** DynamoDB write units per 1,000 records at `recordsPerBatch` records per batch. */
  writeUnitsPer1000: number;
  /** Write requests (documents written) per 1,000 records at the same batch size. */
  writeRequestsPer1000: number;
  readUnitsPer1000: number;
  /** Records per invocation at which the three figures above were measured. */
  recordsPerBatch: number;
  /**
   * Per collection: its share of the write units, and the mean write units of one of its writes (item KB). A
   * collection's writes spread over its buckets; a document that every batch touches (a hot endpoint or caller,
   * the run ledger, a shared pack) is written once per batch of every shard at its units per write.
   */
  collections: Readonly<Record<string, CollectionWrites>>;
  /**
   * Request rate (event time) of the traffic the figures were measured on. A collection whose documents gather
   * every caller of a time slice (`sizeGrowsWithRate`: the caller packs) has documents, and so writes, that grow
   * in proportion to the request rate from there.
   */
  trafficRequestsPerSecond: number;
  /** Share of the read units that read such growing documents (every batch reads the packs of its horizon). */
  readShareGrowingWithRate: number;
  /** The engine's records per second on one full vCPU (1,769 MB of Lambda memory). */
  engineRecordsPerSecondPerCore: number;
}

export interface CollectionWrites {
  writeShare: number;
  unitsPerWrite: number;
  sizeGrowsWithRate?: boolean;
}

/** What is not measured here: stated, and varied in docs/scaling.md. */
export interface Assumptions {
  /**
   * Distinct documents a batch touches grow as (records per batch)^exponent (Heaps' law: 1 = every record a new
   * caller, 0 = the same callers whatever the batch). Scales the measured write figures to other batch sizes.
   */
  distinctDocumentsExponent: number;
  /** Lambda's fixed cost per invocation (runtime, event parsing, the ledger read), seconds. */
  invocationOverheadSeconds: number;
  /** One round of concurrent PutItem (the store writes 16 at a time) and one BatchGetItem of 100 keys, seconds. */
  writeRoundSeconds: number;
  readRoundSeconds: number;
  storeWriteConcurrency: number;
  /** JSON of Lambda's Kinesis event per record besides the base64 data (ids, ARNs, sequence number), bytes. */
  eventOverheadBytesPerRecord: number;
  /** On-demand streams keep capacity for twice the peak: open shards ≈ headroom × shards the writes need. */
  onDemandHeadroom: number;
  onDemandMinimumShards: number;
  /** Bytes CloudWatch Logs receives from the ingest function per invocation (its one summary line + platform lines). */
  logBytesPerInvocation: number;
}

export interface Prices {
  dynamoWritePerMillion: number;
  dynamoReadPerMillion: number;
  kinesisOnDemandStreamHour: number;
  kinesisOnDemandIngestPerGB: number;
  kinesisOnDemandRetrievalPerGB: number;
  /** On-demand ingest is billed per record rounded up to this many bytes. */
  kinesisBillingRecordBytes: number;
  lambdaPerGBSecond: number;
  lambdaPerMillionRequests: number;
  cloudFrontRealtimePerMillionLines: number;
  cloudWatchLogsIngestPerGB: number;
}

export interface Limits {
  shardWriteRecordsPerSecond: number;
  shardWriteBytesPerSecond: number;
  shardReadBytesPerSecond: number;
  onDemandStreamMaxRecordsPerSecond: number;
  onDemandStreamMaxBytesPerSecond: number;
  lambdaAccountConcurrency: number;
  lambdaPayloadBytes: number;
  dynamoTableWriteUnitsPerSecond: number;
  dynamoTableReadUnitsPerSecond: number;
  dynamoPartitionWriteUnitsPerSecond: number;
  wafIpSetAddresses: number;
  /** Lantern's own cap on one document (docs/data-model.md: DocumentTooLargeError above 4 MB compressed). */
  documentMaxBytes: number;
}

/**
 * Caller packs (shared/engine/callers.ts): brief callers are entries of a generation's packs until the packs are full
 * (`maxEntries` each); a caller past a full pack, or one changed in a pack that is not worth rewriting, gets a
 * document of its own. So the growing documents stop growing at the fill rate, and above it brief callers cost what
 * a document per caller costs (`perCaller`, measured before packing), plus the horizon's packs every batch reads.
 */
export interface Packing {
  /** Callers one pack holds (MAX_PACK_ENTRIES). */
  maxEntries: number;
  /** Packs a generation spreads over (PACK_BUCKETS). */
  packsPerGeneration: number;
  /** Bytes of one packed caller, compressed with its neighbours. */
  entryBytes: number;
  /** Packs every batch reads: the horizon's generations and the two ahead of it, times the buckets. */
  horizonPacks: number;
  /** Brief callers one generation gathers, per request/s of traffic. */
  callersPerGenerationPerRequestPerSecond: number;
  /** DynamoDB figures with a document per caller, at their own batch size (the cost once the packs are full). */
  perCaller: Pick<
    Measured,
    'writeUnitsPer1000' | 'writeRequestsPer1000' | 'readUnitsPer1000' | 'recordsPerBatch' | 'collections'
  >;
}

export interface ModelInputs {
  settings: StackSettings;
  measured: Measured;
  assumptions: Assumptions;
  prices: Prices;
  limits: Limits;
  /** How brief callers are packed; absent: the growing collection grows with the rate without bound. */
  packing?: Packing;
}

/** The request rate at which a generation's packs are full. */
export function packFillRate(packing: Packing): number {
  return (packing.maxEntries * packing.packsPerGeneration) / packing.callersPerGenerationPerRequestPerSecond;
}

/** Write units of one full pack: the most a pack write costs. */
export function fullPackUnits(packing: Packing): number {
  return Math.ceil((packing.maxEntries * packing.entryBytes) / 1024);
}

/** /work/shared/reference/aws-logs-and-limits.md, "Prices (us-east-1)" (it marks which are unverified). */
export const AWS_PRICES: Prices = {
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  kinesisOnDemandStreamHour: 0.04,
  kinesisOnDemandIngestPerGB: 0.08,
  kinesisOnDemandRetrievalPerGB: 0.04,
  kinesisBillingRecordBytes: 1024,
  lambdaPerGBSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  cloudFrontRealtimePerMillionLines: 0.01,
  cloudWatchLogsIngestPerGB: 0.5,
};

/**
 * Shard, payload, WAF and partition figures: the reference file. Lambda's 1,000 concurrent executions and DynamoDB's
 * 40,000 request units per on-demand table: the AWS quota pages (Lambda quotas; DynamoDB "maximum throughput for
 * on-demand tables"), both raisable. The on-demand stream's 200 MB/s and 200,000 records/s default: from memory of
 * the Kinesis quota page (unverified).
 */
export const AWS_LIMITS: Limits = {
  shardWriteRecordsPerSecond: 1000,
  shardWriteBytesPerSecond: 1024 * 1024,
  shardReadBytesPerSecond: 2 * 1024 * 1024,
  onDemandStreamMaxRecordsPerSecond: 200_000,
  onDemandStreamMaxBytesPerSecond: 200 * 1024 * 1024,
  lambdaAccountConcurrency: 1000,
  lambdaPayloadBytes: 6 * 1024 * 1024,
  dynamoTableWriteUnitsPerSecond: 40_000,
  dynamoTableReadUnitsPerSecond: 40_000,
  dynamoPartitionWriteUnitsPerSecond: 1000,
  wafIpSetAddresses: 10_000,
  documentMaxBytes: 4 * 1024 * 1024,
};

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  distinctDocumentsExponent: 0.85,
  invocationOverheadSeconds: 0.05,
  writeRoundSeconds: 0.008,
  readRoundSeconds: 0.012,
  storeWriteConcurrency: 16,
  eventOverheadBytesPerRecord: 350,
  onDemandHeadroom: 2,
  onDemandMinimumShards: 4,
  logBytesPerInvocation: 1500,
};

/** One vCPU: Lambda gives a full core at 1,769 MB (the engine is single-threaded, more memory adds no speed). */
export const MB_PER_VCPU = 1769;

export type LimitName =
  | 'kinesis-stream'
  | 'lambda-concurrency'
  | 'lambda-shard-throughput'
  | 'dynamodb-table'
  | 'dynamodb-bucket-partition'
  | 'dynamodb-hot-item'
  | 'document-size';

export interface LimitUse {
  name: LimitName;
  /** What is used / what the limit allows: ≥ 1 means the limit is hit. */
  utilisation: number;
  detail: string;
}

export interface Capacity {
  requestsPerSecond: number;
  /** Where brief callers are written: packs (below the fill rate), or documents of their own once packs are full. */
  briefCallers: 'packed' | 'own documents';
  recordsPerSecond: number;
  bytesPerSecond: number;
  kinesis: {
    /** Shards the write rate needs (records or bytes, whichever binds). */
    shardsNeeded: number;
    /** Shards an on-demand stream keeps open for it (headroom for double the peak). */
    shards: number;
    bindingLimit: 'records' | 'bytes';
    readUtilisation: number;
  };
  lambda: {
    concurrency: number;
    recordsPerBatch: number;
    /** What closed the batch: the window, the batch size or the 6 MB payload. */
    batchClosedBy: 'window' | 'batch-size' | 'payload';
    batchSeconds: number;
    invocationsPerSecond: number;
    gbSecondsPerSecond: number;
    /** Busy share of one shard's sequential consumer (≥ 1: it cannot keep up). */
    shardUtilisation: number;
    /** Records per second one shard's consumer can process at the largest batch it can get. */
    shardMaxRecordsPerSecond: number;
  };
  dynamodb: {
    writeUnitsPer1000: number;
    writeUnitsPerSecond: number;
    readUnitsPerSecond: number;
    /** Write units per second on one bucket (partition key) of the collection that loads its buckets most. */
    bucketWriteUnitsPerSecond: number;
    bucketCollection: string;
    /** Write units per second on one document every batch touches, of the collection with the largest writes. */
    hotItemWriteUnitsPerSecond: number;
    hotItemCollection: string;
  };
  /** Dollars per 100 million requests. */
  costPer100M: {
    kinesis: number;
    lambda: number;
    dynamodb: number;
    cloudFrontRealtimeLogs: number;
    cloudWatchLogs: number;
    scheduledFunctions: number;
    total: number;
  };
  limits: LimitUse[];
}

const GB = 1024 ** 3;

/** Records one invocation gets from a shard whose records arrive at `shardRate` per second. */
export function batchOf(
  inputs: ModelInputs,
  shardRate: number,
): { records: number; closedBy: Capacity['lambda']['batchClosedBy'] } {
  const { settings, measured, assumptions, limits } = inputs;
  const perRecord = Math.ceil(measured.bytesPerRecord / 3) * 4 + assumptions.eventOverheadBytesPerRecord;
  const payload = Math.floor(limits.lambdaPayloadBytes / perRecord);
  const window = Math.max(1, shardRate * settings.ingest.batchWindowSeconds);
  const candidates: Array<[number, Capacity['lambda']['batchClosedBy']]> = [
    [window, 'window'],
    [settings.ingest.batchSize, 'batch-size'],
    [payload, 'payload'],
  ];
  candidates.sort((a, b) => a[0] - b[0]);
  const [records, closedBy] = candidates[0]!;
  return { records, closedBy };
}

/** Distinct documents a batch of `records` touches, scaled from the measured batch. */
export function documentsPerBatch(inputs: ModelInputs, records: number): number {
  const { measured, assumptions } = inputs;
  const atMeasured = (measured.writeRequestsPer1000 * measured.recordsPerBatch) / 1000;
  return Math.min(records, atMeasured * (records / measured.recordsPerBatch) ** assumptions.distinctDocumentsExponent);
}

/** Seconds one invocation takes for a batch: fixed overhead, the engine, the store's reads and writes. */
export function batchSeconds(inputs: ModelInputs, records: number): number {
  const { settings, measured, assumptions } = inputs;
  const cores = Math.min(1, settings.ingest.memoryMb / MB_PER_VCPU);
  const documents = documentsPerBatch(inputs, records);
  return (
    assumptions.invocationOverheadSeconds +
    records / (measured.engineRecordsPerSecondPerCore * cores) +
    Math.ceil(documents / 100) * assumptions.readRoundSeconds +
    Math.ceil(documents / assumptions.storeWriteConcurrency) * assumptions.writeRoundSeconds
  );
}

/** Whether the packs are full at this rate (brief callers then get documents of their own). */
export function packsFullAt(inputs: ModelInputs, requestsPerSecond: number): boolean {
  return inputs.packing !== undefined && requestsPerSecond > packFillRate(inputs.packing);
}

/** The inputs that hold at a rate: past the packs' fill rate, the per-caller figures. */
export function inputsAt(inputs: ModelInputs, requestsPerSecond: number): ModelInputs {
  if (!inputs.packing || !packsFullAt(inputs, requestsPerSecond)) return inputs;
  return { ...inputs, measured: { ...inputs.measured, ...inputs.packing.perCaller, readShareGrowingWithRate: 0 } };
}

export function capacityAt(inputs: ModelInputs, requestsPerSecond: number): Capacity {
  const packing = inputs.packing;
  if (!packing || !packsFullAt(inputs, requestsPerSecond)) return capacityOf(inputs, requestsPerSecond, 0);
  // Every batch also reads the horizon's full packs (strongly consistent: a read unit per 4 KB).
  const horizonReadUnits = packing.horizonPacks * Math.ceil(fullPackUnits(packing) / 4);
  return {
    ...capacityOf(inputsAt(inputs, requestsPerSecond), requestsPerSecond, horizonReadUnits),
    briefCallers: 'own documents',
  };
}

function capacityOf(inputs: ModelInputs, requestsPerSecond: number, readUnitsPerBatch: number): Capacity {
  const { settings, measured, assumptions, prices, limits } = inputs;
  const records = (requestsPerSecond * settings.samplingRatePercent) / 100;
  const bytes = records * measured.bytesPerRecord;
  const byRecords = Math.ceil(records / limits.shardWriteRecordsPerSecond);
  const byBytes = Math.ceil(bytes / limits.shardWriteBytesPerSecond);
  const shardsNeeded = Math.max(1, byRecords, byBytes);
  const shards =
    settings.logStreamMode === 'ON_DEMAND'
      ? Math.max(assumptions.onDemandMinimumShards, Math.ceil(shardsNeeded * assumptions.onDemandHeadroom))
      : shardsNeeded;
  const shardRate = records / shards;

  const batch = batchOf(inputs, shardRate);
  const seconds = batchSeconds(inputs, batch.records);
  const invocationsPerSecond = records > 0 ? records / batch.records : 0;
  const shardUtilisation = ((shardRate / batch.records) * seconds) / settings.ingest.parallelizationFactor;
  const largest = batchOf(inputs, Number.POSITIVE_INFINITY).records;
  const shardMaxRecordsPerSecond = (largest / batchSeconds(inputs, largest)) * settings.ingest.parallelizationFactor;
  const concurrency = shards * settings.ingest.parallelizationFactor;
  const memoryGb = settings.ingest.memoryMb / 1024;
  const gbSecondsPerSecond = invocationsPerSecond * seconds * memoryGb;

  // Write units per record follow distinct documents per record in a batch.
  const scale = documentsPerBatch(inputs, batch.records) / batch.records;
  const measuredScale = documentsPerBatch(inputs, measured.recordsPerBatch) / measured.recordsPerBatch;
  // Documents that gather a time slice's callers grow with the rate, and so does every write of them.
  const growth = records / measured.trafficRequestsPerSecond;
  const packCap = inputs.packing ? fullPackUnits(inputs.packing) : Number.POSITIVE_INFINITY;
  const unitsAtRate = (c: CollectionWrites) =>
    c.sizeGrowsWithRate ? Math.min(packCap, Math.max(1, c.unitsPerWrite * growth)) : c.unitsPerWrite;
  const listed = Object.values(measured.collections);
  const writeMix =
    1 -
    listed.reduce((sum, c) => sum + c.writeShare, 0) +
    listed.reduce((sum, c) => sum + c.writeShare * (unitsAtRate(c) / c.unitsPerWrite), 0);
  // The packs read grow with the rate until they are full.
  const readGrowth = inputs.packing
    ? Math.min(growth, packFillRate(inputs.packing) / measured.trafficRequestsPerSecond)
    : growth;
  const readMix = 1 - measured.readShareGrowingWithRate + measured.readShareGrowingWithRate * readGrowth;
  const writeUnitsPer1000 = measured.writeUnitsPer1000 * (scale / measuredScale) * writeMix;
  const readUnitsPer1000 =
    measured.readUnitsPer1000 * (scale / measuredScale) * readMix + (readUnitsPerBatch * 1000) / batch.records;
  const writeUnitsPerSecond = (records * writeUnitsPer1000) / 1000;
  const readUnitsPerSecond = (records * readUnitsPer1000) / 1000;
  let bucketCollection = '';
  let bucketWriteUnitsPerSecond = 0;
  let hotItemCollection = '';
  let hotUnits = 0;
  for (const [name, c] of Object.entries(measured.collections)) {
    const share = (c.writeShare * (unitsAtRate(c) / c.unitsPerWrite)) / writeMix;
    const perBucket = (writeUnitsPerSecond * share) / (settings.buckets[name] ?? 1);
    if (perBucket > bucketWriteUnitsPerSecond) [bucketCollection, bucketWriteUnitsPerSecond] = [name, perBucket];
    if (unitsAtRate(c) > hotUnits) [hotItemCollection, hotUnits] = [name, unitsAtRate(c)];
  }
  const hotItemWriteUnitsPerSecond = invocationsPerSecond * hotUnits;

  const per100M = records > 0 ? 1e8 / requestsPerSecond : 0;
  const streamHours = per100M / 3600;
  const billedIngestBytes =
    Math.ceil(measured.bytesPerRecord / prices.kinesisBillingRecordBytes) * prices.kinesisBillingRecordBytes;
  const sampled = (1e8 * settings.samplingRatePercent) / 100;
  const kinesis =
    settings.logStreamMode === 'ON_DEMAND'
      ? streamHours * prices.kinesisOnDemandStreamHour +
        ((sampled * billedIngestBytes) / GB) * prices.kinesisOnDemandIngestPerGB +
        ((sampled * measured.bytesPerRecord) / GB) * prices.kinesisOnDemandRetrievalPerGB
      : 0;
  const lambda =
    gbSecondsPerSecond * per100M * prices.lambdaPerGBSecond +
    ((invocationsPerSecond * per100M) / 1e6) * prices.lambdaPerMillionRequests;
  const dynamodb =
    ((sampled * writeUnitsPer1000) / 1000 / 1e6) * prices.dynamoWritePerMillion +
    ((sampled * readUnitsPer1000) / 1000 / 1e6) * prices.dynamoReadPerMillion;
  const cloudFrontRealtimeLogs = (sampled / 1e6) * prices.cloudFrontRealtimePerMillionLines;
  const cloudWatchLogs =
    ((invocationsPerSecond * per100M * assumptions.logBytesPerInvocation) / GB) * prices.cloudWatchLogsIngestPerGB;
  const scheduledFunctions = settings.scheduled.reduce(
    (sum, f) =>
      sum +
      f.runsPerHour *
        streamHours *
        (f.durationSeconds * (f.memoryMb / 1024) * prices.lambdaPerGBSecond + prices.lambdaPerMillionRequests / 1e6),
    0,
  );
  const total = kinesis + lambda + dynamodb + cloudFrontRealtimeLogs + cloudWatchLogs + scheduledFunctions;

  const limitUses: LimitUse[] = [
    {
      name: 'kinesis-stream',
      utilisation: Math.max(
        records / limits.onDemandStreamMaxRecordsPerSecond,
        bytes / limits.onDemandStreamMaxBytesPerSecond,
      ),
      detail: `${fmt(records)} records/s of ${fmt(limits.onDemandStreamMaxRecordsPerSecond)} an on-demand stream takes by default`,
    },
    {
      name: 'lambda-concurrency',
      utilisation: concurrency / limits.lambdaAccountConcurrency,
      detail: `${concurrency} concurrent ingest invocations (shards × parallelization factor ${settings.ingest.parallelizationFactor}) of the account's ${limits.lambdaAccountConcurrency}`,
    },
    {
      name: 'lambda-shard-throughput',
      utilisation: shardUtilisation,
      detail: `one shard's consumer busy ${(shardUtilisation * 100).toFixed(1)} % (${batch.records.toFixed(0)} records per batch in ${seconds.toFixed(2)} s)`,
    },
    {
      name: 'dynamodb-table',
      utilisation: Math.max(
        writeUnitsPerSecond / limits.dynamoTableWriteUnitsPerSecond,
        readUnitsPerSecond / limits.dynamoTableReadUnitsPerSecond,
      ),
      detail: `${fmt(writeUnitsPerSecond)} write units/s, ${fmt(readUnitsPerSecond)} read units/s of the on-demand table's ${fmt(limits.dynamoTableWriteUnitsPerSecond)}`,
    },
    {
      name: 'dynamodb-bucket-partition',
      utilisation: bucketWriteUnitsPerSecond / limits.dynamoPartitionWriteUnitsPerSecond,
      detail: `${fmt(bucketWriteUnitsPerSecond)} write units/s on each of the ${settings.buckets[bucketCollection] ?? 1} ${bucketCollection} buckets (one partition takes ${limits.dynamoPartitionWriteUnitsPerSecond})`,
    },
    {
      name: 'dynamodb-hot-item',
      utilisation: hotItemWriteUnitsPerSecond / limits.dynamoPartitionWriteUnitsPerSecond,
      detail: `a ${hotItemCollection} document every batch touches: ${fmt(invocationsPerSecond)} writes/s (once per batch of every shard) of ${fmt(hotUnits)} units`,
    },
    {
      name: 'document-size',
      utilisation: (hotUnits * 1024) / limits.documentMaxBytes,
      detail: `the largest document written by every batch (${hotItemCollection}) is ~${fmt(hotUnits)} KB, of the ${fmt(limits.documentMaxBytes / 1024)} KB Lantern stores in one document`,
    },
  ];

  return {
    requestsPerSecond,
    briefCallers: 'packed',
    recordsPerSecond: records,
    bytesPerSecond: bytes,
    kinesis: {
      shardsNeeded,
      shards,
      bindingLimit: byBytes > byRecords ? 'bytes' : 'records',
      readUtilisation: shardRate > 0 ? (shardRate * measured.bytesPerRecord) / limits.shardReadBytesPerSecond : 0,
    },
    lambda: {
      concurrency,
      recordsPerBatch: batch.records,
      batchClosedBy: batch.closedBy,
      batchSeconds: seconds,
      invocationsPerSecond,
      gbSecondsPerSecond,
      shardUtilisation,
      shardMaxRecordsPerSecond,
    },
    dynamodb: {
      writeUnitsPer1000,
      writeUnitsPerSecond,
      readUnitsPerSecond,
      bucketWriteUnitsPerSecond,
      bucketCollection,
      hotItemWriteUnitsPerSecond,
      hotItemCollection,
    },
    costPer100M: { kinesis, lambda, dynamodb, cloudFrontRealtimeLogs, cloudWatchLogs, scheduledFunctions, total },
    limits: limitUses,
  };
}

/**
 * The lowest request rate at which each rate-driven limit is hit (bisection between `from` and `to`; each use
 * grows with the rate), in the order they are hit. `undefined` rate: not hit below `to`.
 */
export function limitsByRate(
  inputs: ModelInputs,
  from = 1,
  to = 10_000_000,
): Array<{ name: LimitName; requestsPerSecond: number | undefined }> {
  const names = capacityAt(inputs, from).limits.map((l) => l.name);
  const use = (rate: number, name: LimitName) =>
    capacityAt(inputs, rate).limits.find((l) => l.name === name)!.utilisation;
  const found = names.map((name) => {
    if (use(to, name) < 1) return { name, requestsPerSecond: undefined };
    // Utilisation steps with whole shards: find the first rate (to 0.1 %) at which it reaches 1.
    let lo = from;
    let hi = to;
    while (hi / lo > 1.001) {
      const mid = Math.sqrt(lo * hi);
      if (use(mid, name) >= 1) hi = mid;
      else lo = mid;
    }
    return { name, requestsPerSecond: hi };
  });
  // Array.prototype.sort is stable: limits not hit keep their order.
  const order = (r: number | undefined) => r ?? Number.MAX_VALUE;
  return found.sort((a, b) => order(a.requestsPerSecond) - order(b.requestsPerSecond));
}

/**
 * The WAF IP set is not driven by the request rate but by the response policy: at most `maxNewBlocksPerHour`
 * new blocks in each clock hour that a block of `maxBlockHours` (and the expirer's lag) can span.
 */
export function wafIpSetWorstCase(inputs: ModelInputs): { addresses: number; limit: number; utilisation: number } {
  const addresses = worstCaseBlockedAddresses({
    maxNewBlocksPerHour: inputs.settings.maxNewBlocksPerHour,
    maxDurationMs: inputs.settings.maxBlockHours * 3_600_000,
  });
  return {
    addresses,
    limit: inputs.limits.wafIpSetAddresses,
    utilisation: addresses / inputs.limits.wafIpSetAddresses,
  };
}

export interface ShardSimulation {
  /** Records processed, records still waiting at the end. */
  processed: number;
  backlog: number;
  invocations: number;
  /** Iterator age (age of the oldest unprocessed record) at the end and at its worst, seconds. */
  finalIteratorAgeSeconds: number;
  maxIteratorAgeSeconds: number;
}

/**
 * A discrete-time simulation of one shard's consumer: records arrive at `recordsPerSecond` (evenly, 10 ms steps);
 * `parallelizationFactor` batches may run at once (Lambda keeps per-key order by giving each batch a slice of the
 * shard: modelled as that many independent consumers each taking 1/factor of the arrivals); a consumer takes a batch
 * when the window since its last batch has elapsed or a full batch is waiting, and is busy for batchSeconds(batch).
 * Iterator age stays bounded when the consumer keeps up, and grows without bound when it does not.
 */
export function simulateShard(inputs: ModelInputs, recordsPerSecond: number, durationSeconds: number): ShardSimulation {
  const step = 0.01;
  const factor = inputs.settings.ingest.parallelizationFactor;
  const rate = recordsPerSecond / factor;
  const { records: maxBatch } = batchOf(inputs, Number.POSITIVE_INFINITY);
  const window = inputs.settings.ingest.batchWindowSeconds;
  // Arrival times of waiting records, as a run-length queue: [arrival second, count].
  const queue: Array<[number, number]> = [];
  let waiting = 0;
  let processed = 0;
  let invocations = 0;
  let busyUntil = 0;
  let windowStart = 0;
  let maxAge = 0;
  let carry = 0;
  const steps = Math.round(durationSeconds / step);
  for (let i = 0; i < steps; i++) {
    const now = i * step;
    carry += rate * step;
    const arriving = Math.floor(carry);
    carry -= arriving;
    if (arriving > 0) {
      queue.push([now, arriving]);
      waiting += arriving;
    }
    if (now >= busyUntil && waiting > 0 && (now - windowStart >= window || waiting >= maxBatch)) {
      let take = Math.min(maxBatch, waiting);
      const size = take;
      while (take > 0) {
        const head = queue[0]!;
        const n = Math.min(head[1], take);
        head[1] -= n;
        take -= n;
        if (head[1] === 0) queue.shift();
      }
      waiting -= size;
      processed += size;
      invocations++;
      busyUntil = now + batchSeconds(inputs, size);
      windowStart = busyUntil;
    }
    const age = queue.length > 0 ? now - queue[0]![0] : 0;
    if (age > maxAge) maxAge = age;
  }
  const end = steps * step;
  return {
    processed: processed * factor,
    backlog: waiting * factor,
    invocations: invocations * factor,
    finalIteratorAgeSeconds: queue.length > 0 ? end - queue[0]![0] : 0,
    maxIteratorAgeSeconds: maxAge,
  };
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}
