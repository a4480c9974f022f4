import type { DecodeContext, LogFormat } from '../decoders/decoder.js';
import { createLineDecoder, detectFormat, type LineResult } from '../decoders/index.js';
import type { ApiEvent, Rejection } from '../events/api-event.js';

export type FormatChoice = LogFormat | 'auto';

export interface InputDecoderOptions {
  format: FormatChoice;
  /** CloudFront real-time field list as configured (any order). */
  fields?: readonly string[];
  behindCloudFront?: boolean;
}

/** Where decoded records of one input collect until the engine takes them as a batch. */
export interface BatchBuffer {
  events: ApiEvent[];
  rejections: Rejection[];
  controlMessages: number;
}

export function emptyBatchBuffer(): BatchBuffer {
  return { events: [], rejections: [], controlMessages: 0 };
}

/**
 * Turns the lines of one input (a file, a stream) into events and rejections. In `auto` mode the format is
 * detected from the first record line; a later line that does not decode in that format but is recognisably
 * another (a concatenation of logs) is decoded in its own format rather than rejected.
 */
export class InputDecoder {
  private format: LogFormat | undefined;
  private readonly decoders = new Map<LogFormat, (line: string) => LineResult>();
  private readonly context: DecodeContext;

  constructor(
    private readonly name: string,
    private readonly options: InputDecoderOptions,
  ) {
    this.context = {
      ...(options.fields ? { fields: options.fields } : {}),
      ...(options.behindCloudFront ? { behindCloudFront: true } : {}),
    };
    if (options.format !== 'auto') this.format = options.format;
  }

  /** The format in use, once known. */
  get detectedFormat(): LogFormat | undefined {
    return this.format;
  }

  private decoderFor(format: LogFormat): (line: string) => LineResult {
    let decoder = this.decoders.get(format);
    if (!decoder) {
      decoder = createLineDecoder(format, this.context);
      this.decoders.set(format, decoder);
    }
    return decoder;
  }

  push(line: string, lineNumber: number, into: BatchBuffer): void {
    if (line.length === 0) return;
    let format = this.format;
    if (format === undefined) {
      format = detectFormat(line);
      if (format === undefined) {
        if (line.trim().length === 0) return;
        into.rejections.push({
          reason: 'unknown-format',
          where: `${this.name}:${lineNumber}`,
          detail: 'not a line of any supported log format',
        });
        return;
      }
      this.format = format;
    }
    let result = this.decoderFor(format).call(undefined, line);
    if (
      this.options.format === 'auto' &&
      result.kind === 'records' &&
      result.outcomes.length === 1 &&
      !result.outcomes[0]?.ok
    ) {
      const other = detectFormat(line);
      if (other !== undefined && other !== format) result = this.decoderFor(other).call(undefined, line);
    }
    switch (result.kind) {
      case 'blank':
      case 'header':
        return;
      case 'control':
        into.controlMessages++;
        return;
      case 'records': {
        const many = result.outcomes.length > 1;
        for (let i = 0; i < result.outcomes.length; i++) {
          const outcome = result.outcomes[i]!;
          if (outcome.ok) {
            into.events.push(outcome.event);
          } else {
            into.rejections.push({
              reason: outcome.reason,
              where: many ? `${this.name}:${lineNumber}#${i + 1}` : `${this.name}:${lineNumber}`,
              ...(outcome.detail !== undefined ? { detail: outcome.detail.slice(0, 200) } : {}),
            });
          }
        }
      }
    }
  }
}
