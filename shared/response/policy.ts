/**
 * The response policy: one finding (a new revision of it) -> one decision. Pure: everything it needs is given.
 *
 * Order of the guard rails (the first that speaks wins; each adds its reason):
 * 1. what the finding type allows at its severity and confidence (rules);
 * 2. the target: only a viewer address or an API key; never a private/reserved/edge/own/proxy address, nor a key whose
 *    finding shows no successful use of it (anyone may hold a key shipped in a client);
 * 3. allowlists (CIDRs, API keys, principals) and manual overrides (allow, a recent unblock);
 * 4. an active action on the same target: extend it (escalation), never stack a second;
 * 5. repeat offenders: longer durations, a throttled key becomes a blocked key;
 * 6. the hourly caps on new blocks and on new throttles: beyond them, alert instead;
 * 7. the mode: in `monitor` the decision is recorded but nothing is enforced.
 */
import type { Finding, Severity } from '../detection/finding.js';
import { severityRank } from '../detection/finding.js';
import { hostCidr, parseAddress } from './addresses.js';
import type { CompiledResponseConfig, Threshold } from './config.js';
import type { ActionKind, Decision, Target, TargetState } from './state.js';
import { standingAction, targetOfEntity } from './state.js';

export interface PolicyInput {
  finding: Finding;
  config: CompiledResponseConfig;
  now: number;
  /** The target's stored state (actions `target:` document), if any. */
  state?: TargetState;
  /** New blocks already started this clock hour. */
  newBlocksThisHour: number;
  /**
   * New throttles already started this clock hour, checked against `maxNewThrottlesPerHour`. Absent when the caller
   * does not count them: then only blocks are capped.
   */
  newThrottlesThisHour?: number;
  /** Principals linked to the target (entity links), checked against the principal allowlist. */
  linkedPrincipals?: readonly string[];
}

function meets(finding: Finding, t: Threshold | undefined): boolean {
  return (
    t !== undefined &&
    severityRank(finding.severity) >= severityRank(t.minSeverity) &&
    finding.confidence >= t.minConfidence
  );
}

function alertWorthy(finding: Finding, min: Severity): boolean {
  return severityRank(finding.severity) >= severityRank(min);
}

/** The duration of an action at a repeat level: base × factor^level, capped. */
export function actionDuration(config: CompiledResponseConfig, kind: ActionKind, level: number): number {
  const base = kind === 'block' ? config.blockDurationMs : config.throttleDurationMs;
  return Math.min(config.maxDurationMs, base * config.escalationFactor ** Math.max(0, level));
}

/**
 * Whether a finding on an API key shows the key used successfully, rather than only tried. A key names an
 * application and is often shipped inside its clients, so anyone may send it: a finding made only of refusals
 * (failed logins, refused objects, probes answered 404) says nothing about the key's owner, and acting on the key
 * would cut that owner off. Refusals the log ties to an address are judged there (`entity.ts` `attributeEntity`);
 * what reaches a key here came through a proxy, or was refused as forbidden (403).
 * The detectors of refusals count the successes among them (a figure they always give: when it is missing, the
 * finding is judged as it stands), and so does volumetric abuse (a flood answered only with refusals or 429s is
 * no use of the key); findings made of served answers (scraping's successful reads, exfiltration's bytes) show use
 * by what they are.
 */
export function keyUseShown(finding: Finding): boolean {
  const successes = (name: string): boolean => finding.evidence[name] !== 0;
  switch (finding.type) {
    case 'credential-stuffing':
      return successes('successfulLogins');
    case 'bola-enumeration':
      return successes('successfulReads');
    case 'volumetric-abuse':
      return successes('successfulRequests');
    case 'scanning':
      return false;
    default:
      return true;
  }
}

/** Normalises the finding's entity into a target, or says why it is not one we may act on. */
export function resolveTarget(finding: Finding, config: CompiledResponseConfig): { target?: Target; refusal?: string } {
  const target = targetOfEntity(finding.entity);
  if (!target) return { refusal: `a ${finding.entity.type} is not something the edge can block: alert only` };
  if (target.kind === 'api-key') {
    if (!keyUseShown(finding))
      return {
        refusal: `API key ${target.id} was only tried, never used successfully, in this ${finding.type}: anyone holding a shipped or leaked key can send it, so its owner is not cut off: alert only`,
      };
    return { target };
  }
  // Entity `ip` is only ever the viewer address the edge saw; re-check anyway: a list (X-Forwarded-For), a port,
  // anything that is not one plain address is refused, and so is every proxy/edge/own/private range.
  const raw = finding.entity.id;
  if (raw.includes(',') || raw.includes(' '))
    return { refusal: `"${raw}" is a forwarded-for list, not the viewer address: never acted on` };
  const address = parseAddress(raw);
  const cidr = hostCidr(raw);
  if (!address || !cidr) return { refusal: `"${raw}" is not an IP address` };
  const canonical = cidr.slice(0, cidr.lastIndexOf('/'));
  const reserved = config.reservedRanges.match(address);
  if (reserved) return { refusal: `${canonical} is a private or reserved address (${reserved}): never blocked` };
  const protectedRange = config.neverBlock.match(address);
  if (protectedRange)
    return {
      refusal: `${canonical} is in a protected range (${protectedRange}: own, proxy or CloudFront edge): never blocked`,
    };
  return { target: { kind: 'ip', address: canonical } };
}

export function decide(input: PolicyInput): Decision {
  const { finding, config, now, state } = input;
  const reasons: string[] = [];
  const alert = alertWorthy(finding, config.alertMinSeverity);
  if (!alert) reasons.push(`severity ${finding.severity} is below the alert threshold (${config.alertMinSeverity})`);
  const none = (reason: string, extra: Partial<Decision> = {}): Decision => ({
    action: 'none',
    alert,
    enforce: false,
    reasons: [...reasons, reason],
    level: state?.offences ?? 0,
    ...extra,
  });

  // 1. What the type allows.
  const rule = config.rules[finding.type];
  const canBlock = meets(finding, rule?.block);
  const canThrottle = meets(finding, rule?.throttle);
  if (!canBlock && !canThrottle) {
    return none(
      rule
        ? `${finding.type} at severity ${finding.severity}, confidence ${finding.confidence.toFixed(2)} is below the thresholds to act`
        : `${finding.type} is alert-only`,
    );
  }

  // 2. The target.
  const { target, refusal } = resolveTarget(finding, config);
  if (!target) return none(refusal ?? 'no target');

  // 3. Allowlists and overrides.
  if (target.kind === 'ip') {
    const allowed = config.allowedRanges.match(target.address);
    if (allowed) return none(`${target.address} is allowlisted (${allowed})`, { target });
  } else if (config.allow.apiKeys.includes(target.id)) {
    return none(`API key ${target.id} is allowlisted`, { target });
  }
  const principal = input.linkedPrincipals?.find((p) => config.allow.principals.includes(p));
  if (principal) return none(`the caller is linked to allowlisted principal ${principal}`, { target });
  const override = state?.override;
  if (override && (override.until === undefined || override.until > now)) {
    if (override.kind === 'allow')
      return none(`allowlisted by ${override.by}${override.until ? ` until ${iso(override.until)}` : ''}`, { target });
    return none(`manually unblocked by ${override.by}: not acted on again until ${iso(override.until ?? now)}`, {
      target,
    });
  }

  // 4./5. Which action, how long.
  const offences = state?.offences ?? 0;
  let kind: ActionKind;
  if (target.kind === 'ip') {
    if (!canBlock)
      return none(
        `${finding.type} at ${finding.severity} allows only throttling, and an address has no API key to throttle`,
        { target },
      );
    kind = 'block';
  } else if (canBlock) kind = 'block';
  else if (offences >= config.throttleToBlockAfter) {
    kind = 'block';
    reasons.push(`repeat offender (${offences} earlier actions): blocked rather than throttled`);
  } else kind = 'throttle';

  // What the deployment can do: a key block without the WAF key set falls back to a throttle, and back.
  const can = config.capabilities;
  if (target.kind === 'ip' && !can.blockAddresses) return none('no WAF IP sets are configured: alert only', { target });
  if (target.kind === 'api-key' && kind === 'block' && !can.blockKeys) {
    if (!can.throttleKeys)
      return none('neither the WAF API key set nor a quarantine usage plan is configured: alert only', { target });
    kind = 'throttle';
    reasons.push('no WAF API key set is configured: throttled instead of blocked');
  } else if (target.kind === 'api-key' && kind === 'throttle' && !can.throttleKeys) {
    if (!canBlock || !can.blockKeys)
      return none('no quarantine usage plan is configured to throttle keys: alert only', { target });
    kind = 'block';
  }

  const standing = standingAction(state?.active, now);
  const active = standing && (standing.enforced || config.mode === 'monitor') ? standing : undefined;
  const enforce = config.mode === 'enforce';
  if (active) {
    // Escalation of something already acted on: never a second action; prolong (and harden throttle -> block).
    const harder = active.kind === 'throttle' && kind === 'block';
    const nextKind: ActionKind = harder ? 'block' : active.kind;
    const until = Math.max(active.until, now + actionDuration(config, nextKind, offences));
    if (!harder && until === active.until) {
      return none(`already ${active.kind === 'block' ? 'blocked' : 'throttled'} until ${iso(active.until)}`, {
        target,
      });
    }
    reasons.push(
      harder
        ? `escalated: throttled key now blocked until ${iso(until)}`
        : `escalated (${finding.severity}): ${active.kind} extended to ${iso(until)}`,
    );
    if (harder && !capAllows(input, 'block')) return capped(input, 'block', reasons, target, offences);
    return {
      action: nextKind,
      target,
      until,
      extends: true,
      alert,
      enforce,
      reasons: modeReason(reasons, enforce),
      level: offences,
    };
  }

  if (!capAllows(input, kind)) return capped(input, kind, reasons, target, offences);
  const until = now + actionDuration(config, kind, offences);
  reasons.push(
    `${finding.type} ${finding.severity} (confidence ${finding.confidence.toFixed(2)}): ${kind} ${target.kind === 'ip' ? target.address : `key ${target.id}`} until ${iso(until)}${offences > 0 ? ` (offence ${offences + 1})` : ''}`,
  );
  return { action: kind, target, until, alert, enforce, reasons: modeReason(reasons, enforce), level: offences };
}

/** Whether one more new action of this kind fits this clock hour's cap. */
function capAllows(input: PolicyInput, kind: ActionKind): boolean {
  if (kind === 'block') return input.newBlocksThisHour < input.config.maxNewBlocksPerHour;
  return input.newThrottlesThisHour === undefined || input.newThrottlesThisHour < input.config.maxNewThrottlesPerHour;
}

function capped(input: PolicyInput, kind: ActionKind, reasons: string[], target: Target, level: number): Decision {
  const cap = kind === 'block' ? input.config.maxNewBlocksPerHour : input.config.maxNewThrottlesPerHour;
  return {
    action: 'none',
    target,
    // Beyond a cap a would-be action is always alerted, whatever its severity: someone must look.
    alert: true,
    enforce: false,
    reasons: [...reasons, `hourly cap of ${cap} new ${kind}s reached: alert instead of ${kind}`],
    level,
  };
}

function modeReason(reasons: string[], enforce: boolean): string[] {
  return enforce ? reasons : [...reasons, 'monitor mode: recorded, not enforced'];
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
