import { describe, expect, it } from 'vitest';
import {
  decodeFindingEvent,
  encodeFindingEvent,
  FindingEventError,
  partitionKeyOf,
  toFindingEvent,
} from '../../../shared/response/finding-events.js';
import { makeFinding, T0 } from './factories.js';

describe('finding events', () => {
  it('round-trips a finding as one JSON record keyed by its entity', () => {
    const finding = makeFinding({ revision: 3 });
    const event = toFindingEvent(finding, T0);
    expect(decodeFindingEvent(encodeFindingEvent(event))).toEqual(event);
    expect(partitionKeyOf(finding)).toBe('ip:45.33.32.156');
  });

  it.each([
    ['not json', /not JSON/],
    ['{"kind":"other"}', /kind is not lantern.finding/],
    ['{"kind":"lantern.finding","version":2}', /unsupported version 2/],
    [
      '{"kind":"lantern.finding","version":1,"publishedAt":1,"finding":{"id":"x","type":"nope","severity":"high","confidence":1,"entity":{"type":"ip","id":"1"},"revision":0}}',
      /invalid fields: type, revision/,
    ],
  ])('refuses %s', (text, message) => {
    expect(() => decodeFindingEvent(text)).toThrow(FindingEventError);
    expect(() => decodeFindingEvent(text)).toThrow(message);
  });
});
