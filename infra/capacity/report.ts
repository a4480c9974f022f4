/**
 * The capacity model's report: Markdown tables (docs/scaling.md is made from them) and the JSON the CLI writes.
 * Pure: given the model's inputs, the sources of the measured figures and the rates.
 */
import type { Measured } from './model.js';
import {
  AWS_LIMITS,
  type Capacity,
  capacityAt,
  fullPackUnits,
  inputsAt,
  limitsByRate,
  type ModelInputs,
  packFillRate,
  simulateShard,
  wafIpSetWorstCase,
} from './model.js';

const money = (n: number) => `$${n < 1 ? n.toFixed(3) : n.toFixed(2)}`;
const num = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function nearestLimit(c: Capacity): string {
  const top = [...c.limits].sort((a, b) => b.utilisation - a.utilisation)[0]!;
  return `${top.name} (${pct(top.utilisation)})`;
}

export function capacityReport(
  inputs: ModelInputs,
  sources: Record<keyof Measured, string>,
  rates: readonly number[],
): { markdown: string; json: Record<string, unknown> } {
  const measured = inputs.measured;
  const results = rates.map((rate) => capacityAt(inputs, rate));
  const byRate = limitsByRate(inputs);
  const waf = wafIpSetWorstCase(inputs);
  const top = results[results.length - 1]!;
  const perShard = top.recordsPerSecond / top.kinesis.shards;
  const simulations = [
    { label: `${num(perShard)} records/s (one shard at ${num(top.requestsPerSecond)} req/s)`, rate: perShard },
    { label: '1,000 records/s (a shard at its write limit)', rate: AWS_LIMITS.shardWriteRecordsPerSecond },
    {
      label: `${num(top.lambda.shardMaxRecordsPerSecond * 1.2)} records/s (120 % of what one consumer can process)`,
      rate: top.lambda.shardMaxRecordsPerSecond * 1.2,
    },
  ].map((s) => ({ ...s, result: simulateShard(inputsAt(inputs, top.requestsPerSecond), s.rate, 600) }));

  const out: string[] = [];
  out.push('## Capacity and cost at the default settings\n');
  out.push(
    table(
      ['', ...results.map((r) => `${num(r.requestsPerSecond)} req/s`)],
      [
        [
          'Kinesis shards the writes need (binding limit)',
          ...results.map((r) => `${r.kinesis.shardsNeeded} (${r.kinesis.bindingLimit})`),
        ],
        ['Kinesis shards open (on-demand headroom)', ...results.map((r) => String(r.kinesis.shards))],
        ['Ingest concurrency (shards × parallelization factor)', ...results.map((r) => String(r.lambda.concurrency))],
        [
          'Records per batch (closed by)',
          ...results.map((r) => `${num(r.lambda.recordsPerBatch)} (${r.lambda.batchClosedBy})`),
        ],
        ['Seconds per batch', ...results.map((r) => r.lambda.batchSeconds.toFixed(2))],
        ['Invocations/s', ...results.map((r) => num(r.lambda.invocationsPerSecond, 1))],
        ['One shard consumer busy', ...results.map((r) => pct(r.lambda.shardUtilisation))],
        ['Lambda GB-s per second', ...results.map((r) => num(r.lambda.gbSecondsPerSecond, 2))],
        ['Brief callers written to', ...results.map((r) => (r.briefCallers === 'packed' ? 'packs' : 'own documents'))],
        ['DynamoDB write units per 1,000 requests', ...results.map((r) => num(r.dynamodb.writeUnitsPer1000, 1))],
        [
          'DynamoDB write units/s (read units/s)',
          ...results.map((r) => `${num(r.dynamodb.writeUnitsPerSecond)} (${num(r.dynamodb.readUnitsPerSecond)})`),
        ],
        [
          'Write units/s on one bucket (busiest collection)',
          ...results.map((r) => `${num(r.dynamodb.bucketWriteUnitsPerSecond, 1)} (${r.dynamodb.bucketCollection})`),
        ],
        [
          'Write units/s on a document every batch touches',
          ...results.map((r) => `${num(r.dynamodb.hotItemWriteUnitsPerSecond, 1)} (${r.dynamodb.hotItemCollection})`),
        ],
        ['Nearest limit (utilisation)', ...results.map(nearestLimit)],
      ],
    ),
  );
  out.push('\n## Cost per 100 million requests (us-east-1 prices)\n');
  const costRows: Array<[string, (c: Capacity['costPer100M']) => number]> = [
    ['Kinesis (stream-hours, ingest at 1 KB per record, retrieval)', (c) => c.kinesis],
    ['Lambda ingest (GB-s and requests)', (c) => c.lambda],
    ['DynamoDB on-demand (writes and reads)', (c) => c.dynamodb],
    ['CloudFront real-time log lines', (c) => c.cloudFrontRealtimeLogs],
    ['CloudWatch Logs (ingest function)', (c) => c.cloudWatchLogs],
    ['Scheduled functions (expirer, sweeper)', (c) => c.scheduledFunctions],
    ['**Total**', (c) => c.total],
  ];
  out.push(
    table(
      ['', ...results.map((r) => `${num(r.requestsPerSecond)} req/s`)],
      costRows.map(([label, f]) => [label, ...results.map((r) => money(f(r.costPer100M)))]),
    ),
  );
  out.push('\n## The rate at which each limit is hit\n');
  out.push(
    table(
      ['limit', 'hit at (requests/s)', 'what it is'],
      byRate.map((l) => [
        l.name,
        l.requestsPerSecond === undefined ? 'not below 10,000,000' : num(l.requestsPerSecond),
        capacityAt(inputs, l.requestsPerSecond ?? 10_000_000).limits.find((x) => x.name === l.name)!.detail,
      ]),
    ),
  );
  out.push(
    `\nWAF IP set (not rate-driven): at most ${num(waf.addresses)} addresses at once (${inputs.settings.maxNewBlocksPerHour} new blocks in each clock hour a ${inputs.settings.maxBlockHours} h block and the expirer's lag can span) of ${num(waf.limit)} (${pct(waf.utilisation)}).`,
  );
  out.push("\n## One shard's consumer, simulated for 600 s\n");
  out.push(
    table(
      ['arrivals', 'invocations', 'processed', 'backlog at the end', 'max iterator age (s)', 'final iterator age (s)'],
      simulations.map((s) => [
        s.label,
        num(s.result.invocations),
        num(s.result.processed),
        num(s.result.backlog),
        s.result.maxIteratorAgeSeconds.toFixed(1),
        s.result.finalIteratorAgeSeconds.toFixed(1),
      ]),
    ),
  );
  out.push('\n## Inputs\n');
  out.push(
    table(
      ['figure', 'value', 'source'],
      (Object.keys(measured) as Array<keyof typeof measured>).map((k) => {
        const v = measured[k];
        const shown =
          typeof v === 'number'
            ? num(v, v < 10 ? 2 : 1)
            : Object.entries(v)
                .map(([c, x]) => `${c} ${pct(x.writeShare)} of units, ${x.unitsPerWrite.toFixed(1)}/write`)
                .join('; ');
        return [k, shown, sources[k]];
      }),
    ),
  );
  out.push(
    `\nStack settings: ${JSON.stringify(inputs.settings.ingest)}, log stream ${inputs.settings.logStreamMode}, sampling ${inputs.settings.samplingRatePercent} %, entities buckets ${inputs.settings.buckets.entities}.`,
  );
  out.push(`Assumptions: ${JSON.stringify(inputs.assumptions)}.`);
  const packing = inputs.packing;
  if (packing) {
    out.push(
      `Caller packs: ${packing.maxEntries} callers × ${packing.packsPerGeneration} packs per generation, ~${packing.entryBytes} B a caller (≤ ${fullPackUnits(packing)} units a pack write); ${packing.callersPerGenerationPerRequestPerSecond.toFixed(1)} brief callers per generation per request/s (simulator), so the packs are full from ${num(packFillRate(packing))} req/s. Past that: a document per caller (${packing.perCaller.writeUnitsPer1000} write units, ${packing.perCaller.readUnitsPer1000} read units per 1,000 records, measured before packing) and ${packing.horizonPacks} full packs read by every batch (${num(packing.horizonPacks * Math.ceil(fullPackUnits(packing) / 4))} read units).`,
    );
  }
  return {
    markdown: out.join('\n'),
    json: { inputs, sources, results, limitsByRate: byRate, wafIpSet: waf, simulations },
  };
}
