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
