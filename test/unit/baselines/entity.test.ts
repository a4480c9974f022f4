/** Who a request is attributed to (docs/threat-model.md, T1 and T3). */
import { beforeEach, describe, expect, it } from 'vitest';
import { attributeEntity, newEntityRecord, recordEntityRequest } from '../../../shared/baselines/entity.js';
import { makeApiEvent, resetApiEventSequence } from '../../helpers/events.js';

const VIEWER = '45.33.32.156';
const EDGE = '130.176.12.9';
const KEY = 'appKeyId0001';

describe('attributeEntity', () => {
  beforeEach(() => resetApiEventSequence());

  it.each([
    ['an API key, answered', { status: 200 }, { type: 'api-key', id: KEY }],
    ['an API key, refused as forbidden (403: the key’s own rights)', { status: 403 }, { type: 'api-key', id: KEY }],
    ['an API key, not found', { status: 404 }, { type: 'api-key', id: KEY }],
    ['an API key, refused as unauthenticated (401)', { status: 401 }, { type: 'ip', id: VIEWER }],
    [
      'an API key and a session, refused as unauthenticated',
      { status: 401, session: 's-1' },
      { type: 'ip', id: VIEWER },
    ],
    [
      'an API key refused as unauthenticated behind a proxy (no viewer address)',
      { status: 401, clientIp: EDGE, clientIpIsProxy: true },
      { type: 'api-key', id: KEY },
    ],
    ['a principal with an API key, refused', { status: 401, principal: 'user-7' }, { type: 'principal', id: 'user-7' }],
  ] as const)('%s', (_, shape, expected) => {
    // Prepare
    const event = makeApiEvent({ source: 'apigw', clientIp: VIEWER, apiKeyId: KEY, authenticated: true, ...shape });
    // Act, Assess
    expect(attributeEntity(event)).toEqual(expected);
  });

  it('never attributes to a forwarded-for address or a proxy', () => {
    const forged = makeApiEvent({ clientIp: EDGE, clientIpIsProxy: true, forwardedFor: VIEWER, status: 401 });
    expect(attributeEntity(forged)).toBeUndefined();
  });

  it('a refused request moved to its address keeps the key as a link of that address', () => {
    // Prepare
    const event = makeApiEvent({ source: 'apigw', clientIp: VIEWER, apiKeyId: KEY, authenticated: true, status: 401 });
    const entity = attributeEntity(event);
    if (!entity) throw new Error('no entity');
    const record = newEntityRecord(entity, event.time);
    // Act
    recordEntityRequest(record, event);
    // Assess
    expect(record.links.apiKeys).toEqual([KEY]);
    expect(record.links.ips).toEqual([]);
  });
});
