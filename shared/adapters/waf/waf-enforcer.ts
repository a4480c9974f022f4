/**
 * The AWS WAF enforcer: blocks addresses through two IP sets (IPv4, IPv6: one version per set) and API keys through
 * a regex pattern set, each referenced by a blocking rule of the WebACL the stack creates.
 *
 * API keys: WAF cannot match a hash, so the key VALUE has to be in WAF (a regex pattern set: exact, anchored
 * patterns on the `x-api-key` header). Lantern's own store never holds the value: actions name the key by its id
 * (what API Gateway logs); the value is read from API Gateway (`GetApiKey includeValue`) at the moment of blocking
 * and of unblocking, and only its SHA-256 prefix appears in Lantern's audit trail. Several keys share one pattern
 * (`^(?:k1|k2)$`) so that the regex set's small pattern quota holds dozens of keys.
 */
import { createHash } from 'node:crypto';
import {
  GetIPSetCommand,
  GetRegexPatternSetCommand,
  UpdateIPSetCommand,
  UpdateRegexPatternSetCommand,
  type WAFV2Client,
} from '@aws-sdk/client-wafv2';
import type {
  EnforcementChange,
  EnforcementContext,
  EnforcementOutcome,
  EnforcementReport,
  Enforcer,
} from '../../ports/enforcer.js';
import { canonicalCidr, hostCidr, parseCidr } from '../../response/addresses.js';
import { WAF_IP_SET_CAPACITY } from '../../response/config.js';
import {
  CoalescingSetWriter,
  RateGate,
  realTiming,
  type SetBackend,
  type SetWriteResult,
  type Timing,
} from './set-writer.js';

export type WafScope = 'CLOUDFRONT' | 'REGIONAL';

/** A WAF set as `Get*`/`Update*` address it. */
export interface WafSetRef {
  name: string;
  id: string;
}

/** WAF's limits (WAF quotas page; check yours: some are raisable). */
export interface WafLimits {
  /** Addresses (CIDRs) per IP set. */
  ipSetAddresses: number;
  /** Regex patterns per regex pattern set. */
  regexPatterns: number;
  /** Characters per regex pattern. */
  regexLength: number;
}

export const WAF_LIMITS: Readonly<WafLimits> = {
  ipSetAddresses: WAF_IP_SET_CAPACITY,
  regexPatterns: 10,
  regexLength: 200,
};

export interface WafEnforcerOptions {
  client: WAFV2Client;
  scope: WafScope;
  ipv4: WafSetRef;
  ipv6: WafSetRef;
  /** The API key regex pattern set and how to read a key's value from its id; absent: key blocking unsupported. */
  apiKeys?: WafSetRef & { resolveValue: (apiKeyId: string) => Promise<string | undefined> };
  limits?: Partial<WafLimits>;
  /** One write per this many ms across all sets (default 1,000: WAF's ~1 write/s per account and region). */
  minWriteIntervalMs?: number;
  timing?: Timing;
  maxAttempts?: number;
  baseDelayMs?: number;
}

/** The WAF client region for a scope: CLOUDFRONT-scope resources live in us-east-1, REGIONAL ones in the stack's region. */
export function wafRegionFor(scope: WafScope, stackRegion: string): string {
  return scope === 'CLOUDFRONT' ? 'us-east-1' : stackRegion;
}

function ipSetBackend(client: WAFV2Client, scope: WafScope, ref: WafSetRef, version: 4 | 6, max: number): SetBackend {
  return {
    label: `IPv${version} set ${ref.name}`,
    async read() {
      const out = await client.send(new GetIPSetCommand({ Name: ref.name, Scope: scope, Id: ref.id }));
      const entries = (out.IPSet?.Addresses ?? []).map((a) => canonicalCidr(a) ?? a);
      return {
        entries,
        lockToken: out.LockToken ?? '',
        ...(out.IPSet?.Description ? { description: out.IPSet.Description } : {}),
      };
    },
    async write(entries, lockToken, description) {
      await client.send(
        new UpdateIPSetCommand({
          Name: ref.name,
          Scope: scope,
          Id: ref.id,
          Addresses: [...entries],
          LockToken: lockToken,
          ...(description ? { Description: description } : {}),
        }),
      );
    },
    fits: (entries) => entries.length <= max,
    targetOf(entry) {
      const cidr = parseCidr(entry);
      if (!cidr || cidr.prefix !== (version === 4 ? 32 : 128)) return undefined; // ranges are never Lantern's
      return { kind: 'ip', address: entry.slice(0, entry.lastIndexOf('/')) };
    },
  };
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;
/** Key values Lantern puts in WAF: printable ASCII without backslash or space. */
const KEY_VALUE = /^[\x21-\x5b\x5d-\x7e]{1,128}$/;

export function escapeRegex(value: string): string {
  return value.replace(REGEX_SPECIAL, '\\$&');
}

function unescapeRegex(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Packs key values into as few anchored patterns as fit the length limit: `^(?:a|b|c)$`. */
export function packKeyPatterns(values: readonly string[], maxLength: number): string[] | undefined {
  const patterns: string[] = [];
  let current: string[] = [];
  const render = (keys: string[]) => `^(?:${keys.map(escapeRegex).join('|')})$`;
  for (const value of [...values].sort()) {
    if (render([value]).length > maxLength) return undefined;
    if (current.length > 0 && render([...current, value]).length > maxLength) {
      patterns.push(render(current));
      current = [];
    }
    current.push(value);
  }
  if (current.length > 0) patterns.push(render(current));
  return patterns;
}

/** The key values in Lantern's patterns; other patterns are kept as they are (prefixed `=`). */
export function unpackKeyPatterns(patterns: readonly string[]): string[] {
  const entries: string[] = [];
  for (const p of patterns) {
    const m = /^\^\(\?:(.*)\)\$$/.exec(p);
    if (!m) {
      entries.push(`=${p}`);
      continue;
    }
    // Split on unescaped `|`.
    for (const part of (m[1] as string).split(/(?<!\\)\|/)) entries.push(unescapeRegex(part));
  }
  return entries;
}

function regexSetBackend(
  client: WAFV2Client,
  scope: WafScope,
  ref: WafSetRef,
  maxPatterns: number,
  maxLength: number,
): SetBackend {
  const encode = (entries: readonly string[]) => {
    const foreign = entries.filter((e) => e.startsWith('=')).map((e) => e.slice(1));
    const packed = packKeyPatterns(
      entries.filter((e) => !e.startsWith('=')),
      maxLength,
    );
    return packed ? [...foreign, ...packed] : undefined;
  };
  return {
    label: `API key regex set ${ref.name}`,
    async read() {
      const out = await client.send(new GetRegexPatternSetCommand({ Name: ref.name, Scope: scope, Id: ref.id }));
      const patterns = (out.RegexPatternSet?.RegularExpressionList ?? [])
        .map((r) => r.RegexString ?? '')
        .filter((p) => p !== '');
      return {
        entries: unpackKeyPatterns(patterns),
        lockToken: out.LockToken ?? '',
        ...(out.RegexPatternSet?.Description ? { description: out.RegexPatternSet.Description } : {}),
      };
    },
    async write(entries, lockToken, description) {
      const patterns = encode(entries) ?? [];
      await client.send(
        new UpdateRegexPatternSetCommand({
          Name: ref.name,
          Scope: scope,
          Id: ref.id,
          RegularExpressionList: patterns.map((RegexString) => ({ RegexString })),
          LockToken: lockToken,
          ...(description ? { Description: description } : {}),
        }),
      );
    },
    fits(entries) {
      const patterns = encode(entries);
      return patterns !== undefined && patterns.length <= maxPatterns;
    },
    // Values cannot be mapped back to key ids without keeping them: key entries are never evicted.
    targetOf: () => undefined,
  };
}

export function keyFingerprint(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

export function createWafEnforcer(
  options: WafEnforcerOptions,
): Enforcer & { writers: Record<'v4' | 'v6' | 'keys', CoalescingSetWriter | undefined> } {
  const limits = { ...WAF_LIMITS, ...options.limits };
  const timing = options.timing ?? realTiming;
  const gate = new RateGate(options.minWriteIntervalMs ?? 1000, timing);
  const writerOptions = {
    gate,
    timing,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
  };
  const v4 = new CoalescingSetWriter(
    ipSetBackend(options.client, options.scope, options.ipv4, 4, limits.ipSetAddresses),
    writerOptions,
  );
  const v6 = new CoalescingSetWriter(
    ipSetBackend(options.client, options.scope, options.ipv6, 6, limits.ipSetAddresses),
    writerOptions,
  );
  const keys = options.apiKeys
    ? new CoalescingSetWriter(
        regexSetBackend(options.client, options.scope, options.apiKeys, limits.regexPatterns, limits.regexLength),
        writerOptions,
      )
    : undefined;

  async function apply(
    changes: readonly EnforcementChange[],
    context: EnforcementContext = {},
  ): Promise<EnforcementReport> {
    const outcomes: Array<EnforcementOutcome | undefined> = new Array(changes.length);
    const work = new Map<
      CoalescingSetWriter,
      {
        adds: Array<{ entry: string; rank: number }>;
        removes: string[];
        items: Array<{ index: number; entry: string; detail?: string }>;
      }
    >();
    const queue = (
      writer: CoalescingSetWriter,
      index: number,
      entry: string,
      add: boolean,
      rank = 0,
      detail?: string,
    ) => {
      let w = work.get(writer);
      if (!w) {
        w = { adds: [], removes: [], items: [] };
        work.set(writer, w);
      }
      if (add) w.adds.push({ entry, rank });
      else w.removes.push(entry);
      w.items.push({ index, entry, ...(detail ? { detail } : {}) });
    };

    for (const [index, change] of changes.entries()) {
      switch (change.op) {
        case 'block-ip':
        case 'unblock-ip': {
          const cidr = hostCidr(change.address);
          if (!cidr) {
            outcomes[index] = {
              ok: false,
              change,
              reason: 'failed',
              detail: `"${change.address}" is not an IP address`,
            };
            break;
          }
          const writer = cidr.includes(':') ? v6 : v4;
          queue(writer, index, cidr, change.op === 'block-ip', change.op === 'block-ip' ? change.rank : 0);
          break;
        }
        case 'block-key':
        case 'unblock-key': {
          if (!keys || !options.apiKeys) {
            outcomes[index] = {
              ok: false,
              change,
              reason: 'unsupported',
              detail: 'no API key regex pattern set is configured',
            };
            break;
          }
          let value: string | undefined;
          try {
            value = await options.apiKeys.resolveValue(change.apiKeyId);
          } catch (error: unknown) {
            outcomes[index] = {
              ok: false,
              change,
              reason: 'failed',
              detail: `could not read API key ${change.apiKeyId}: ${error instanceof Error ? error.message : String(error)}`,
            };
            break;
          }
          if (value === undefined) {
            outcomes[index] = {
              ok: false,
              change,
              reason: 'not-found',
              detail: `API key ${change.apiKeyId} does not exist`,
            };
            break;
          }
          if (!KEY_VALUE.test(value)) {
            // Printable ASCII without backslash: what WAF matches exactly once escaped, and what unpacks unambiguously.
            outcomes[index] = {
              ok: false,
              change,
              reason: 'unsupported',
              detail: `API key ${change.apiKeyId} has characters the WAF key rule cannot match exactly`,
            };
            break;
          }
          queue(
            keys,
            index,
            value,
            change.op === 'block-key',
            change.op === 'block-key' ? change.rank : 0,
            `key value ${keyFingerprint(value)}`,
          );
          break;
        }
        default:
          outcomes[index] = { ok: false, change, reason: 'unsupported', detail: `${change.op} is not a WAF change` };
      }
    }

    const evicted: EnforcementReport['evicted'] = [];
    // One writer after the other: they share the account's write rate anyway.
    for (const [writer, w] of work) {
      let result: SetWriteResult;
      try {
        result = await writer.submit(w.adds, w.removes, context.ranks);
      } catch (error: unknown) {
        for (const item of w.items) {
          const change = changes[item.index] as EnforcementChange;
          outcomes[item.index] = {
            ok: false,
            change,
            reason: 'failed',
            detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          };
        }
        continue;
      }
      for (const entry of result.evicted) {
        if (writer !== keys) evicted.push({ op: 'block-ip', target: entry.slice(0, entry.lastIndexOf('/')) });
      }
      for (const item of w.items) {
        const change = changes[item.index] as EnforcementChange;
        const suffix = item.detail ? ` (${item.detail})` : '';
        if (result.rejected.has(item.entry)) {
          outcomes[item.index] = {
            ok: false,
            change,
            reason: 'set-full',
            detail: `the WAF set is full of offenders at least as bad${suffix}`,
          };
        } else if (result.added.has(item.entry))
          outcomes[item.index] = { ok: true, change, detail: `added to WAF${suffix}` };
        else if (result.present.has(item.entry))
          outcomes[item.index] = { ok: true, change, detail: `already in WAF${suffix}` };
        else if (result.removed.has(item.entry))
          outcomes[item.index] = { ok: true, change, detail: `removed from WAF${suffix}` };
        else outcomes[item.index] = { ok: true, change, detail: `not in WAF${suffix}` };
      }
    }
    return { outcomes: outcomes as EnforcementOutcome[], evicted };
  }

  return { apply, writers: { v4, v6, keys } };
}
