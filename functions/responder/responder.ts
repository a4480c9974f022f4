import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { Finding } from '../../shared/detection/finding.js';
import { decodeFindingEvent } from '../../shared/response/finding-events.js';
import { type FindingOutcome, type ResponderDeps, respond } from '../../shared/response/respond.js';

export interface ResponderLog {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ResponderHandlerDeps extends ResponderDeps {
  log: ResponderLog;
  onBatch?: (outcomes: readonly FindingOutcome[], failed: number) => void;
}

function describeError(error: unknown): Record<string, unknown> | string {
  return error instanceof Error ? { name: error.name, message: error.message } : String(error);
}

/**
 * One Kinesis invocation of the `findings` stream: decode each record (a finding event), respond to them in order,
 * report as failed exactly the records whose response did not complete. An unreadable record is reported failed
 * too (never logged away): after the mapping's retries it reaches the on-failure destination.
 * Lambda retries from the lowest failed sequence number; records after it that had succeeded are skipped as
 * duplicates by the responder's decision records.
 */
export function createResponderHandler(
  deps: ResponderHandlerDeps,
): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  return async (event) => {
    const failed = new Set<string>();
    const findings: Finding[] = [];
    const sequenceOf: string[] = [];
    for (const record of event.Records) {
      const sequence = record.kinesis.sequenceNumber;
      try {
        findings.push(decodeFindingEvent(Buffer.from(record.kinesis.data, 'base64')).finding);
        sequenceOf.push(sequence);
      } catch (error: unknown) {
        deps.log.error('unreadable finding event: reported as failed', { sequence, error: describeError(error) });
        failed.add(sequence);
      }
    }
    const outcomes = await respond(findings, deps);
    outcomes.forEach((outcome, i) => {
      if (outcome.error === undefined) {
        if (!outcome.duplicate) {
          deps.log.info('decision', {
            finding: outcome.findingId,
            revision: outcome.revision,
            action: outcome.decision.action,
            enforce: outcome.decision.enforce,
            alerted: outcome.alerted,
            reasons: outcome.decision.reasons,
          });
        }
        return;
      }
      const sequence = sequenceOf[i] as string;
      deps.log.error('response not completed: record reported as failed', {
        finding: outcome.findingId,
        revision: outcome.revision,
        sequence,
        error: describeError(outcome.error),
      });
      failed.add(sequence);
    });
    deps.onBatch?.(outcomes, failed.size);
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
