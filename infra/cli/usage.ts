import { parseArgs } from 'node:util';

/** Exit codes of the `lantern` command: part of its contract, scripts rely on them. */
export const EXIT = {
  ok: 0,
  /** Something failed while running (a bug, a store outage). */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
  /** Not a single input could be read. */
  noInput: 3,
} as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: lantern <command> [options]

Commands:
  analyze [options] PATH... | -   Analyse log files (files, directories, .gz, or - for stdin)
      --format FORMAT     auto (default) | cloudfront-realtime | cloudfront-standard | apigw | cwl | alb
      --fields LIST       CloudFront real-time field list as configured (comma-separated; any order)
      --behind-cloudfront API Gateway logs: the API is only reachable through CloudFront
      --json              print the JSON report on stdout
      --out FILE          write the JSON report to FILE
      --html FILE         write a self-contained HTML report (the console's views, no external assets)
      --quiet             no progress on stderr
      --declared FILE     OpenAPI 3 / Swagger 2 spec (JSON or YAML) of what you serve; repeatable
      --previous-declared FILE  an earlier version of the spec (endpoints removed since are zombies)
      --overrides FILE    discovery overrides, a JSON array (split, pin-static, declare)
  inventory [analyze options] [--output table|json|csv|openapi] PATH...
                                  The endpoint inventory of the logs; openapi = a skeleton of the observed API
  simulate --scenario NAME --out DIR [--format cloudfront-realtime|cloudfront-standard|apigw|alb]
           [--minutes N] [--seed N] [--volume X] [--speed X] [--gzip]
                                  Write realistic simulated logs (legitimate traffic + one attack) and ground-truth.json
  start [options]                 Run Lantern locally: the real handlers on local DynamoDB and Kinesis emulators
      --minutes N         stop after N minutes (default: until Ctrl-C)
      --logs PATH         replay your own log files or directories instead of simulated traffic; repeatable
      --scenario NAME     simulated traffic scenario (default mixed); --seed N
      --data-dir DIR      keep the local state on disk (default: in memory)
      --fields LIST, --behind-cloudfront   as for analyze
      --exit-when-done    stop once the traffic has been fed and processed
      --mode monitor|enforce  the local responder's mode (default monitor; locally nothing is ever enforced
                          for real: the local enforcer records what it would do)
  status [--data-dir DIR] [--json]  What the local cloud holds: inventory, callers, findings
  help                            Show this help

Exit codes: 0 success, 1 failure, 2 usage error, 3 no input could be read.
`;

export type CommandOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];
export type ParsedCommandLine = { values: Record<string, unknown>; positionals: string[] };

/** Parses one command's arguments; anything node:util's parser refuses is a usage error (exit 2). */
export function parseCommandLine(argv: string[], options: CommandOptions, allowPositionals = false): ParsedCommandLine {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals });
    return { values: values as Record<string, unknown>, positionals };
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A numeric option, or undefined when absent; not a number (or below `min`) is a usage error. */
export function numberOption(
  values: Record<string, unknown>,
  name: string,
  min = Number.NEGATIVE_INFINITY,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new UsageError(
      `--${name} must be a number${min > Number.NEGATIVE_INFINITY ? ` ≥ ${min}` : ''}, got ${String(raw)}`,
    );
  }
  return value;
}
