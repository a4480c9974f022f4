/** Encoders: ApiEvent -> log records, the inverse of each decoder (tests and the traffic simulator). */
export { type AlbEncodeOptions, encodeAlb, formatAlbTime } from './alb.js';
export {
  type ApiGatewayEncodeOptions,
  type ApiGatewayLayout,
  encodeApiGateway,
  formatApiGatewayRequestTime,
} from './apigw.js';
export {
  type CloudFrontRealtimeEncodeOptions,
  encodeCloudFrontRealtime,
  formatEpochSeconds,
} from './cloudfront-realtime.js';
export {
  type CloudFrontStandardEncodeOptions,
  encodeCloudFrontStandard,
  w3cHeaderLines,
} from './cloudfront-standard.js';
export {
  type CwlEnvelopeInput,
  cwlControlMessageJson,
  cwlEnvelopeJson,
  encodeCwlControlMessage,
  encodeCwlEnvelope,
  encodeCwlEnvelopeBase64,
} from './cwl-envelope.js';
export { percentEncodePath, percentEncodeRawQuery, percentEncodeText } from './percent-encode.js';

import type { ApiEvent, LogSource } from '../events/api-event.js';
import { encodeAlb as albLine } from './alb.js';
import { encodeApiGateway as apigwLine } from './apigw.js';
import { encodeCloudFrontRealtime as realtimeLine } from './cloudfront-realtime.js';
import { encodeCloudFrontStandard as standardLine } from './cloudfront-standard.js';

/** One event as one line of `format`'s log, with each encoder's defaults (W3C headers are the caller's). */
export function encodeLine(event: ApiEvent, format: LogSource): string {
  switch (format) {
    case 'cloudfront-realtime':
      return realtimeLine(event);
    case 'cloudfront-standard':
      return standardLine(event);
    case 'apigw':
      return apigwLine(event);
    case 'alb':
      return albLine(event);
  }
}
