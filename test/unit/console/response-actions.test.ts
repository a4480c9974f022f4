import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { ActionRefusedError, ActionTargetNotFoundError } from '../../../shared/console/actions.js';
import { createResponseActions } from '../../../shared/console/response-actions.js';
import type { Finding } from '../../../shared/detection/finding.js';
import type { EnforcementChange } from '../../../shared/ports/enforcer.js';
import type { Store } from '../../../shared/ports/store.js';
import { compileResponseConfig, DEFAULT_RESPONSE_CONFIG } from '../../../shared/response/config.js';
import { respond } from '../../../shared/response/respond.js';
import type { AuditEntry, TargetState } from '../../../shared/response/state.js';
import { fillStore, testClock } from './traffic.js';

const config = compileResponseConfig({
  ...DEFAULT_RESPONSE_CONFIG,
  mode: 'enforce',
  rules: { scanning: { block: { minSeverity: 'low', minConfidence: 0 } } },
});
const TARGET = 'target:ip:45.133.1.66';
let store: Store;
let clock: Awaited<ReturnType<typeof fillStore>>;
let applied: EnforcementChange[];
const enforcer = {
  apply: async (changes: readonly EnforcementChange[]) => {
    applied.push(...changes);
    return { outcomes: changes.map((change) => ({ ok: true as const, change })), evicted: [] };
  },
};

async function targetState(): Promise<TargetState | undefined> {
  return (await store.actions.get([TARGET])).get(TARGET)?.value as TargetState | undefined;
}

async function auditEntries(): Promise<AuditEntry[]> {
  return (await store.audit.list({})).items.map((i) => i.value as AuditEntry);
}

beforeEach(async () => {
  // Prepare: the real engine and responder block the scanner.
  clock = testClock();
  store = createMemoryStore({ clock });
  await fillStore(store, clock);
  applied = [];
  const findings = (await store.findings.list({})).items.map((i) => i.value as Finding);
  await respond(findings, { store, clock, config, enforcer });
  expect(applied).toContainEqual({ op: 'block-ip', address: '45.133.1.66', rank: expect.any(Number) });
});

describe('console actions through the response module', () => {
  it('extends an active block, capped by the longest duration the policy allows, and audits it', async () => {
    // Prepare
    const actions = createResponseActions({ store, clock, config, enforcer });
    const before = (await targetState())?.active?.until ?? 0;
    // Act
    await actions.extend(TARGET, 3_600_000, { actor: 'console:ann' });
    // Assess
    const after = (await targetState())?.active?.until;
    expect(after).toBe(before + 3_600_000);
    expect((await auditEntries()).find((e) => e.action === 'extend')).toMatchObject({
      by: 'console:ann',
      event: 'override',
      target: 'ip:45.133.1.66',
    });
  });

  it('allowlists an address (lifting its block at the edge) and refuses what cannot be allowlisted', async () => {
    // Prepare
    const actions = createResponseActions({ store, clock, config, enforcer });
    // Act
    await actions.allowlist({ type: 'ip', id: '45.133.1.66' }, { actor: 'console:ann', note: 'our pentest' });
    // Assess
    expect(applied).toContainEqual({ op: 'unblock-ip', address: '45.133.1.66' });
    const state = await targetState();
    expect(state?.override).toMatchObject({ kind: 'allow', by: 'console:ann', note: 'our pentest' });
    await expect(actions.allowlist({ type: 'principal', id: 'alice' }, { actor: 'console:ann' })).rejects.toThrow(
      ActionRefusedError,
    );
    await expect(actions.unblock('target:ip:9.9.9.9', { actor: 'console:ann' })).rejects.toThrow(
      ActionTargetNotFoundError,
    );
    await expect(actions.unblock(TARGET, { actor: 'console:ann' })).rejects.toThrow(ActionRefusedError);
  });

  it('acknowledges and resolves a finding, audited with the analyst', async () => {
    // Prepare
    const actions = createResponseActions({ store, clock, config, enforcer });
    const id = (await store.findings.list({})).items[0]?.id ?? '';
    // Act
    await actions.acknowledge(id, { actor: 'console:ann' });
    const again = await actions.acknowledge(id, { actor: 'console:ann' });
    await actions.resolve(id, { actor: 'console:bob' });
    // Assess
    expect(again.message).toBe('Already acknowledged.');
    expect(((await store.findings.get([id])).get(id)?.value as Finding | undefined)?.status).toBe('resolved');
    const trail = (await auditEntries()).filter((e) => e.findingId === id && e.event === 'override');
    // Same instant (a fixed clock): the trail's order between them is its ids', not the calls'.
    expect(trail.map((e) => [e.action, e.by]).sort()).toEqual([
      ['acknowledge', 'console:ann'],
      ['resolve', 'console:bob'],
    ]);
    await expect(actions.resolve('nope', { actor: 'console:bob' })).rejects.toThrow(ActionTargetNotFoundError);
  });
});
