/**
 * CloudWatch Logs subscription envelopes, the inverse of `decodeCwlEnvelope`: log events -> the
 * gzip bytes a subscription filter puts in a Kinesis record (and its base64, as Lambda sees it).
 */
import { gzipSync } from 'node:zlib';

export interface CwlEnvelopeInput {
  owner?: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters?: string[];
  logEvents: { id?: string; timestamp: number; message: string }[];
}

/** A CloudWatch Logs event id: 56 digits in the real thing; derived here from time and position. */
export function cwlEventId(timestamp: number, index: number): string {
  return `${String(Math.trunc(timestamp)).padStart(20, '0')}${String(index).padStart(36, '0')}`;
}

/** The envelope's JSON text (a `DATA_MESSAGE`). */
export function cwlEnvelopeJson(input: CwlEnvelopeInput): string {
  return JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: input.owner ?? '123456789012',
    logGroup: input.logGroup,
    logStream: input.logStream,
    subscriptionFilters: input.subscriptionFilters ?? ['lantern-apigw'],
    logEvents: input.logEvents.map((e, i) => ({
      id: e.id ?? cwlEventId(e.timestamp, i),
      timestamp: e.timestamp,
      message: e.message,
    })),
  });
}

/** The Kinesis record data: gzip of the envelope JSON. */
export function encodeCwlEnvelope(input: CwlEnvelopeInput): Buffer {
  return gzipSync(cwlEnvelopeJson(input));
}

/** The same, base64 (what a Lambda Kinesis event carries in `kinesis.data`). */
export function encodeCwlEnvelopeBase64(input: CwlEnvelopeInput): string {
  return encodeCwlEnvelope(input).toString('base64');
}

/**
 * The reachability check CloudWatch Logs sends when a subscription is created (shape as documented
 * in the CloudWatch Logs subscriptions examples).
 */
export function cwlControlMessageJson(timestamp = 1432826855105): string {
  return JSON.stringify({
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
  });
}

export function encodeCwlControlMessage(timestamp?: number): Buffer {
  return gzipSync(cwlControlMessageJson(timestamp));
}
