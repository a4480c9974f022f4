import { createLineDecoder } from '../../../shared/decoders/index.js';
import { encodeLine, w3cHeaderLines } from '../../../shared/encoders/index.js';
import type { ApiEvent, LogSource } from '../../../shared/events/api-event.js';

/**
 * The events as Lantern would read them back from `format`'s log: each is encoded and decoded, so fields the
 * format cannot carry (country and ASN in API Gateway logs, principal and API key in CloudFront logs) are gone.
 */
export function throughLog(events: readonly ApiEvent[], format: LogSource): ApiEvent[] {
  const decode = createLineDecoder(format);
  if (format === 'cloudfront-standard') for (const line of w3cHeaderLines()) decode(line);
  return events.map((event) => {
    const result = decode(encodeLine(event, format));
    const outcome = result.kind === 'records' ? result.outcomes[0] : undefined;
    if (!outcome?.ok)
      throw new Error(
        `simulated ${format} record not read back: ${outcome && !outcome.ok ? outcome.reason : result.kind}`,
      );
    return outcome.event;
  });
}
