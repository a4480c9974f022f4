import { describe, expect, it } from 'vitest';
import { classifyEndpoints, endpointFlags, newerVersionOf } from '../../../shared/discovery/classify.js';
import type { DeclaredOperation } from '../../../shared/discovery/declared.js';

function op(method: string, template: string, extra: Partial<DeclaredOperation> = {}): DeclaredOperation {
  return { method, template, deprecated: false, parameters: [], variants: 1, ...extra };
}

const H = 'api.example.com';
const seen = (method: string, template: string, requests = 10) => ({ host: H, method, template, requests });

describe('classifyEndpoints', () => {
  const current = [
    op('GET', '/v2/users/{id}'),
    op('GET', '/v2/users/search'),
    op('DELETE', '/v2/users/{id}', { deprecated: true }),
    op('GET', '/v2/reports'),
  ];
  const previous = [[...current, op('POST', '/v2/users/{id}/legacy-sync'), op('GET', '/v2/users/export')]];

  it('managed, shadow, zombie (three reasons), unused', () => {
    // Act
    const result = classifyEndpoints(
      [
        seen('GET', '/v2/users/{userId}'),
        seen('GET', '/v2/users/search'),
        seen('GET', '/internal/debug'),
        seen('DELETE', '/v2/users/{userId}'),
        seen('POST', '/v2/users/{userId}/legacy-sync'),
        seen('GET', '/v2/users/export'),
        seen('GET', '/v1/users/{userId}'),
      ],
      { current, previous },
    );
    const by = (m: string, t: string) => result.find((c) => c.method === m && c.template === t);
    // Assess
    expect(by('GET', '/v2/users/{userId}')).toMatchObject({ status: 'managed', match: 'exact' });
    expect(by('GET', '/v2/users/search')).toMatchObject({ status: 'managed' });
    expect(by('GET', '/internal/debug')).toMatchObject({ status: 'shadow' });
    expect(by('DELETE', '/v2/users/{userId}')).toMatchObject({ status: 'zombie', zombieReason: 'deprecated' });
    expect(by('POST', '/v2/users/{userId}/legacy-sync')).toMatchObject({
      status: 'zombie',
      zombieReason: 'removed-from-spec',
    });
    // Exact in the previous spec wins over an instance of the current `/v2/users/{id}`.
    expect(by('GET', '/v2/users/export')).toMatchObject({ status: 'zombie', zombieReason: 'removed-from-spec' });
    expect(by('GET', '/v1/users/{userId}')).toMatchObject({
      status: 'zombie',
      zombieReason: 'older-version',
      declaredTemplate: '/v2/users/{id}',
    });
    expect(by('GET', '/v2/reports')).toMatchObject({ status: 'unused' });
  });

  it('an observed template more specific than the declared one is managed (instance)', () => {
    const [c] = classifyEndpoints([seen('GET', '/v2/users/12')], { current });
    expect(c).toMatchObject({ status: 'managed', match: 'instance' });
  });

  it('a declared typed literal is matched by the parameter traffic shows it as (typed-literal)', () => {
    // Prepare: Box declares `PUT /users/{user_id}/folders/0`; discovery turns every integer into a parameter.
    const declared = [op('PUT', '/2.0/users/{user_id}/folders/0'), op('GET', '/2.0/users/{user_id}/folders/root')];
    // Act
    const result = classifyEndpoints(
      [
        seen('PUT', '/2.0/users/{userId}/folders/{folderId}'),
        seen('GET', '/2.0/users/{userId}/folders/{folderId}'),
        seen('PUT', '/2.0/users/{userId}/folders/0'),
      ],
      { current: declared },
    );
    // Assess
    expect(result[0]).toMatchObject({ status: 'managed', match: 'typed-literal' });
    // A word literal (`root`) is not a value on sight, and the method must be declared.
    expect(result[1]).toMatchObject({ status: 'shadow' });
    expect(result[2]).toMatchObject({ status: 'managed', match: 'exact' });
  });

  it('a version literal is not taken for a typed value', () => {
    const [c] = classifyEndpoints([seen('GET', '/{id}/users')], { current: [op('GET', '/2010-04-01/users')] });
    expect(c).toMatchObject({ status: 'shadow' });
  });

  it('everything is unknown when nothing is declared', () => {
    expect(classifyEndpoints([seen('GET', '/a')], { current: [] }).map((c) => c.status)).toEqual(['unknown']);
  });

  it('older version needs a newer declared twin', () => {
    expect(newerVersionOf(H, 'GET', '/v3/users/{id}', current)).toBeUndefined();
    expect(newerVersionOf(H, 'GET', '/v1beta1/users/{id}', current)?.template).toBe('/v2/users/{id}');
    expect(newerVersionOf(H, 'GET', '/v1/orders/{id}', current)).toBeUndefined();
  });
});

describe('endpointFlags', () => {
  it('flags unauthenticated success and sensitive kinds', () => {
    expect(
      endpointFlags({ success: 10, unauthenticatedSuccess: 4, sensitive: { email: 2, 'card-number': 0 } }),
    ).toEqual({
      unauthenticated: true,
      unauthenticatedShare: 0.4,
      sensitiveData: ['email'],
    });
    expect(endpointFlags({ success: 0, unauthenticatedSuccess: 0 }).unauthenticated).toBe(false);
  });
});
