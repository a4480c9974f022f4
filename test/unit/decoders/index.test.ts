import { describe, expect, it } from 'vitest';
import { createLineDecoder, decodeLine, LINE_DECODERS } from '../../../shared/decoders/index.js';
import { encodeApiGateway } from '../../../shared/encoders/apigw.js';
import { encodeCloudFrontStandard, w3cHeaderLines } from '../../../shared/encoders/cloudfront-standard.js';
import { encodeCwlControlMessage, encodeCwlEnvelopeBase64 } from '../../../shared/encoders/cwl-envelope.js';
import { LOG_SOURCES } from '../../../shared/events/api-event.js';
import { makeApiEvent } from '../../helpers/events.js';

describe('decoder registry', () => {
  it('has a line decoder for every log source', () => {
    // Assess
    for (const source of LOG_SOURCES) expect(typeof LINE_DECODERS[source]).toBe('function');
  });

  it('reports blank lines, W3C headers, CWL control messages and records apart', () => {
    // Prepare
    const event = makeApiEvent({ source: 'apigw' });
    const record = encodeCwlEnvelopeBase64({
      logGroup: 'g',
      logStream: 's',
      logEvents: [
        { timestamp: event.time, message: encodeApiGateway(event) },
        { timestamp: event.time, message: 'START RequestId: x' },
      ],
    });
    // Act / Assess
    expect(decodeLine('alb', '   ')).toEqual({ kind: 'blank' });
    expect(decodeLine('cloudfront-standard', '#Version: 1.0')).toEqual({ kind: 'header' });
    expect(decodeLine('cloudfront-standard', '#Fields: date time')).toEqual({
      kind: 'header',
      fields: ['date', 'time'],
    });
    expect(decodeLine('cwl', encodeCwlControlMessage().toString('base64'))).toEqual({ kind: 'control' });
    expect(decodeLine('cwl', 'bm90IGd6aXA=')).toEqual({
      kind: 'records',
      outcomes: [{ ok: false, reason: 'bad-gzip', detail: 'no gzip magic bytes' }],
    });
    const result = decodeLine('cwl', record);
    expect(result.kind === 'records' && result.outcomes.map((o) => o.ok)).toEqual([true, false]);
  });

  it('createLineDecoder applies the last #Fields header to the following lines', () => {
    // Prepare
    const fields = ['timestamp(ms)', 'cs-method', 'x-host-header', 'cs-uri-stem', 'sc-status'];
    const event = makeApiEvent({ source: 'cloudfront-standard' });
    const decode = createLineDecoder('cloudfront-standard');
    // Act
    const results = [...w3cHeaderLines(fields), encodeCloudFrontStandard(event, { fields })].map(decode);
    // Assess
    expect(results[2]).toEqual({
      kind: 'records',
      outcomes: [
        {
          ok: true,
          event: {
            time: event.time,
            source: 'cloudfront-standard',
            requestId: '',
            host: event.host,
            method: 'GET',
            path: event.path,
            status: 200,
            authenticated: false,
          },
        },
      ],
    });
  });
});
