/**
 * The templating rules added for order independence, names beside values and small value sets
 * (docs/discovery.md, "Rules"). Each rule is tested from both sides: where it applies and where it
 * must not.
 */
import { describe, expect, it } from 'vitest';
import { PathTemplater } from '../../../shared/discovery/templater.js';

const HOST = 'api.example.com';

function get(t: PathTemplater, path: string): string {
  return t.observe(HOST, 'GET', path, 200).template;
}

const SUBRESOURCES = [
  'users',
  'clients',
  'groups',
  'roles',
  'events',
  'sessions',
  'components',
  'keys',
  'flows',
  'scopes',
  'mappers',
  'policies',
  'providers',
  'credentials',
];
const REALMS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

describe('rule: below a word in a value slot, sub-resource names stay static', () => {
  it('keeps the sub-resources of the first realm static until other realms arrive', () => {
    // Prepare
    const t = new PathTemplater();
    // Act: the most popular realm's sub-resources (each with an id below) arrive before any other realm.
    for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/master/${s}/${1000 + i}`);
    // Assess
    expect(get(t, '/realms/master/users/7')).toBe('/realms/master/users/{userId}');
    expect(get(t, '/realms/master/clients/7')).toBe('/realms/master/clients/{clientId}');
  });

  it('still merges many leaf values below a name in a value slot (/timelines/tag/{hashtag})', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (let i = 0; i < 30; i++) get(t, `/timelines/tag/topic${String.fromCharCode(97 + (i % 26))}${i}x`);
    // Assess
    expect(get(t, '/timelines/tag/weekend')).toBe('/timelines/tag/{tagName}');
  });

  it('merges the same names below a word that is not in a value slot (cardinality)', () => {
    // Prepare
    const t = new PathTemplater();
    // Act
    for (const [i, s] of SUBRESOURCES.entries()) get(t, `/admin/master/${s}/${1000 + i}`);
    // Assess: no REST hint protects them: 14 distinct words seen once are values.
    expect(get(t, '/admin/master/users/7')).toMatch(/^\/admin\/master\/\{[^}]+\}\/\{[^}]+\}$/);
  });
});

describe('rule: one literal beside a parameter is judged on its own', () => {
  it('lets a heavy value that arrived first join the parameter its peers formed', () => {
    // Prepare
    const t = new PathTemplater();
    for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/master/${s}/${1000 + i}`);
    // Act: other realms with the same sub-resources form {realm}; master is re-judged as traffic goes on.
    for (const realm of REALMS) for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/${realm}/${s}/${i}`);
    for (let k = 0; k < 16; k++) get(t, `/realms/master/users/${k}`);
    // Assess
    expect(get(t, '/realms/master/users/7')).toBe('/realms/{realmName}/users/{userId}');
    expect(get(t, '/realms/newcorp/groups/7')).toBe('/realms/{realmName}/groups/{groupId}');
  });

  it('keeps a literal whose children are not the parameter’s children', () => {
    // Prepare
    const t = new PathTemplater();
    get(t, '/realms/search/recent/0');
    // Act
    for (const realm of REALMS) for (const [i, s] of SUBRESOURCES.entries()) get(t, `/realms/${realm}/${s}/${i}`);
    for (let k = 0; k < 16; k++) get(t, `/realms/search/recent/${k}`);
    // Assess
    expect(get(t, '/realms/search/recent/1')).toBe('/realms/search/recent/{recentId}');
  });
});

describe('rule: the empty segment of a trailing slash is never a value', () => {
  it('keeps /realms/ apart from /realms/{realm}', () => {
    // Prepare
    const t = new PathTemplater();
    for (let i = 0; i < 30; i++) get(t, `/realms/r${i}x${i * 7}`);
    // Act
    const slash = get(t, '/realms/');
    // Assess
    expect(get(t, '/realms/zz9top')).toBe('/realms/{realmName}');
    expect(slash).toBe('/realms/');
  });
});
