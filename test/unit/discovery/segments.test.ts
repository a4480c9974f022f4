import { describe, expect, it } from 'vitest';
import {
  classifySegment,
  isDesignedName,
  isStaticAsset,
  isValueLike,
  paramNameFor,
  versionRank,
} from '../../../shared/discovery/segments.js';

describe('classifySegment', () => {
  it.each([
    ['8812', 'int'],
    ['5f2c1a9e-3b4d-4c2a-9e1f-0a1b2c3d4e5f', 'uuid'],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'ulid'],
    ['507f1f77bcf86cd799439011', 'objectid'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hex'],
    ['2024-03-01', 'date'],
    ['2024-03-01T10:00:00Z', 'date'],
    ['alice@example.com', 'email'],
    ['ch_3NxAbc12DefGhi34Jkl', 'prefixed-id'],
    ['cus_NffrFeUfNV2Hib', 'prefixed-id'],
    ['AC0123456789abcdef0123456789abcdef', 'sid'],
    ['4aawyAB9vmqN3uQ7FjRGTy', 'base62'],
    ['ixvtzlgXuyTLadonXaoDQG', 'base62'],
    ['XxbvpsfahkbzjpHbkghZSW', 'base62'],
    ['eyJhbGciOiJIUzI1NiJ9.abc-123_DEF456xyz', 'token'],
    ['dGhpcyBpcyBhIGxvbmcgYmFzZTY0IGlkIDEyMw==', 'token'],
  ])('%s is %s', (segment, kind) => {
    // Act / Assess
    expect(classifySegment(segment)).toBe(kind);
  });

  it.each([
    'users',
    'me',
    'v2',
    'search',
    'verify_credentials',
    'payment_intents',
    'AvailablePhoneNumbers',
    'IncomingPhoneNumbers',
    'testSMTPConnection',
    'getHTTPResponseHeaders',
    'current_cpu_utilization',
    'networking.k8s.io',
    'deadbeef',
  ])('%s stays a word', (segment) => {
    expect(classifySegment(segment)).toBe('word');
  });
});

describe('lexical hints', () => {
  it('tells values from technical names', () => {
    expect(isValueLike('read-nyc3-01')).toBe(true);
    expect(isValueLike('X:BTCUSD')).toBe(true);
    expect(isValueLike('alice1987')).toBe(true);
    expect(isValueLike('oauth2')).toBe(false);
    expect(isValueLike('load_5')).toBe(false);
    expect(isValueLike('v1beta1')).toBe(false);
  });

  it('orders versions', () => {
    expect(versionRank('v2')! > versionRank('v1')!).toBe(true);
    expect(versionRank('v1')! > versionRank('v1beta2')!).toBe(true);
    expect(versionRank('2.0')! > versionRank('1.1')!).toBe(true);
    expect(versionRank('2010-04-01')! > versionRank('2008-08-01')!).toBe(true);
    expect(versionRank('users')).toBeUndefined();
  });

  it('names parameters after the segment before them', () => {
    expect(paramNameFor('users', 'int')).toBe('userId');
    expect(paramNameFor('users', 'slug')).toBe('username');
    expect(paramNameFor('payment_intents', 'prefixed-id')).toBe('paymentIntentId');
    expect(paramNameFor('categories', 'slug')).toBe('categoryName');
    expect(paramNameFor(undefined, 'int')).toBe('id');
    expect(paramNameFor('v2', 'int')).toBe('id');
  });

  it('recognises static assets but not images served by an API', () => {
    expect(isStaticAsset('GET', ['static', 'js', 'main.3f2a9c.js'])).toBe(true);
    expect(isStaticAsset('GET', ['fonts', 'inter.woff2'])).toBe(true);
    expect(isStaticAsset('GET', ['favicon.ico'])).toBe(true);
    expect(isStaticAsset('GET', ['files', '12345', 'thumbnail.png'])).toBe(false);
    expect(isStaticAsset('POST', ['upload', 'a.png'])).toBe(false);
    expect(isStaticAsset('GET', ['api', 'users'])).toBe(false);
  });
});

describe('isDesignedName', () => {
  it.each([
    'frontend_tls_connections_current',
    'droplets_http_response_time_95p',
    'ThisMonth',
    'Today',
    'partialImport',
  ])('%s is a designed name', (w) => {
    expect(isDesignedName(w)).toBe(true);
  });
  it.each(['alice', 'load_balancer', 'ops-ritojo', 'bob42', 'x_1_2', 'AAPL', 'README', 'abcDEF'])('%s is not', (w) => {
    expect(isDesignedName(w)).toBe(false);
  });
});
