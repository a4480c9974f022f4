import type { EndpointRef } from './finding.js';

/**
 * Detection configuration: who a caller is, which endpoints are logins, which bots are trusted, and every
 * threshold the detectors use. Each value is documented with its default; `resolveDetectionConfig` fills the
 * defaults in and rejects nonsense with an exact message. docs/detections.md explains each threshold.
 */

/** Where the request's session and user identifiers come from (read by the decoders, Cloudflare API Shield style). */
export interface IdentityConfig {
  /** Request header carrying a session id. Default: none. */
  sessionHeader?: string;
  /** Cookie carrying a session id. Default `session`. */
  sessionCookie?: string;
  /** JWT claim naming the user. Default `sub`. */
  userClaim: string;
}

/** A crawler allowed to read a lot: both its user agent and its network must match (a user agent alone is forged). */
export interface TrustedBot {
  name: string;
  /** Regular expression (source) the user agent must match. */
  userAgent: string;
  /** Autonomous systems the bot crawls from. */
  asns: string[];
}

/** What discovery (or the user) says an endpoint is; only `shadow` and `zombie` matter to detection. */
export type EndpointClassifier = (endpoint: EndpointRef) => string | undefined;

export interface DetectionThresholds {
  /** Peer baselines need this many identities on an endpoint before "unusual for its peers" is judged. Default 20. */
  minPeerIdentities: number;
  /** An entity is compared with its own history once it is this old (ms). Default 20 min. */
  entityWarmupMs: number;
  /** A caller with history (past the warm-up) must also exceed this multiple of its own earlier 10-minute peak, on every rate-like measure. Default 3. */
  ownMultiple: number;
  volumetric: {
    /** Requests per identity per 10-minute window below which nothing is volumetric. Default 300. */
    minRequests: number;
    /** ... and at least this multiple of the peers' high peak (p99, robust to a few outliers). Default 5. */
    peerMultiple: number;
  };
  bola: {
    /** Distinct object ids per 10-minute window. Default 25. */
    minObjects: number;
    /** ... and at least this multiple of the peers' high. Default 4. */
    peerMultiple: number;
    /** An endpoint is "own objects only" when peers' p90 of distinct ids per window is at most this. Default 10. */
    ownedMaxObjects: number;
    /** Or: the caller's share of 401/403/404 on the endpoint is at least this. Default 0.3. */
    minFailureShare: number;
  };
  scraping: {
    /** Distinct object ids per 10-minute window. Default 150. */
    minObjects: number;
    peerMultiple: number;
    /** Share of 2xx among the caller's requests on the endpoint (a scraper gets data). Default 0.6. */
    minSuccessShare: number;
  };
  exfiltration: {
    /** Response bytes per identity per 10-minute window. Default 10 MB. */
    minBytes: number;
    peerMultiple: number;
  };
  scanning: {
    /** Distinct unanswered (404/405) paths per 10-minute window. Default 20. */
    minPaths: number;
    /** Share of the caller's requests answered 404/405. Default 0.5. */
    minNotFoundShare: number;
  };
  credentialStuffing: {
    /** Failed logins (401/403) by one caller per 10-minute window. Default 10. */
    minFailures: number;
    /** Share of that caller's logins that failed. Default 0.8. */
    minFailureShare: number;
    population: {
      /**
       * Fail-only callers (callers that did nothing but fail logins, confirmed after `quietMs`) on an endpoint per
       * 10 minutes, below which no campaign is declared. Default 12.
       */
      minCallers: number;
      /** The same over the last hour: the floor of the low-and-slow rule. Default 20. */
      minCallersPerHour: number;
      /** ... and above the usual count + this many spreads (MAD, at least √median and 1) of earlier windows (√6 of them over an hour). Default 6. */
      madMultiple: number;
      /** A caller with only failed logins is confirmed fail-only once quiet this long (ms), or still failing 10 minutes after its first. Default 2 min. */
      quietMs: number;
      /** A campaign stays declared this long after it was last over threshold (ms). Default 30 min. */
      latchMs: number;
    };
  };
  tokenSharing: {
    /** More countries than this within an hour. Default 2. */
    maxCountries: number;
    /** More networks (ASNs) than this within an hour. Default 4. */
    maxAsns: number;
    /** More addresses than this within an hour (the signal left when the log has no geography). Default 12. */
    maxIps: number;
    /** Back-and-forth country changes within an hour that no traveller makes. Default 4. */
    minSwitches: number;
  };
  unauthenticated: {
    /** Unauthenticated successful requests by one caller. Default 3. */
    minRequests: number;
    /** The endpoint's callers that succeeded must have been authenticated at least this often. Default 0.95. */
    minAuthenticatedShare: number;
    /** ... measured over at least this many identities. Default 20. */
    minIdentities: number;
  };
}

export interface DetectionConfig {
  identity: IdentityConfig;
  /** Regular expressions (source) matched against `METHOD /path`: the login endpoints. */
  authEndpoints: string[];
  trustedBots: TrustedBot[];
  /** Endpoint classification; when it returns a value it wins over discovery's (the endpoint document's `classification`). Default none. */
  classify?: EndpointClassifier;
  thresholds: DetectionThresholds;
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  identity: { sessionCookie: 'session', userClaim: 'sub' },
  authEndpoints: [
    '^POST .*/(login|log-in|signin|sign-in|authenticate|token|sessions?)$',
    '^POST .*/(oauth2?|auth)/(token|login)$',
  ],
  trustedBots: [
    { name: 'Googlebot', userAgent: 'Googlebot', asns: ['15169'] },
    { name: 'Bingbot', userAgent: 'bingbot', asns: ['8075'] },
    { name: 'Applebot', userAgent: 'Applebot', asns: ['714'] },
  ],
  thresholds: {
    minPeerIdentities: 20,
    entityWarmupMs: 20 * 60_000,
    ownMultiple: 3,
    volumetric: { minRequests: 300, peerMultiple: 5 },
    bola: { minObjects: 25, peerMultiple: 4, ownedMaxObjects: 10, minFailureShare: 0.3 },
    scraping: { minObjects: 150, peerMultiple: 5, minSuccessShare: 0.6 },
    exfiltration: { minBytes: 10_000_000, peerMultiple: 10 },
    scanning: { minPaths: 20, minNotFoundShare: 0.5 },
    credentialStuffing: {
      minFailures: 10,
      minFailureShare: 0.8,
      population: { minCallers: 12, minCallersPerHour: 20, madMultiple: 6, quietMs: 2 * 60_000, latchMs: 30 * 60_000 },
    },
    tokenSharing: { maxCountries: 2, maxAsns: 4, maxIps: 12, minSwitches: 4 },
    unauthenticated: { minRequests: 3, minAuthenticatedShare: 0.95, minIdentities: 20 },
  },
};

export class DetectionConfigError extends Error {
  override name = 'DetectionConfigError';
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};
export type DetectionConfigInput = DeepPartial<Omit<DetectionConfig, 'classify'>> & { classify?: EndpointClassifier };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, override: unknown, path: string): unknown {
  if (override === undefined) return structuredClone(base);
  if (isPlainObject(base)) {
    if (!isPlainObject(override)) throw new DetectionConfigError(`detection config: ${path} must be an object`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(override)) {
      if (!(key in base)) throw new DetectionConfigError(`detection config: unknown setting ${path}.${key}`);
    }
    for (const [key, value] of Object.entries(base)) out[key] = merge(value, override[key], `${path}.${key}`);
    return out;
  }
  if (typeof base === 'number') {
    if (typeof override !== 'number' || !Number.isFinite(override) || override < 0) {
      throw new DetectionConfigError(`detection config: ${path} must be a non-negative number`);
    }
  }
  return override;
}

function checkShare(value: number, path: string): void {
  if (value > 1) throw new DetectionConfigError(`detection config: ${path} is a share and must be between 0 and 1`);
}

function checkRegex(source: string, path: string): void {
  try {
    new RegExp(source);
  } catch {
    throw new DetectionConfigError(`detection config: ${path} is not a valid regular expression: ${source}`);
  }
}

/** Defaults filled in and every value checked; throws DetectionConfigError naming the first bad setting. */
export function resolveDetectionConfig(input: DetectionConfigInput = {}): DetectionConfig {
  const { classify, identity, authEndpoints, trustedBots, thresholds } = input;
  for (const key of Object.keys(input)) {
    if (!['classify', 'identity', 'authEndpoints', 'trustedBots', 'thresholds'].includes(key)) {
      throw new DetectionConfigError(`detection config: unknown setting ${key}`);
    }
  }
  const resolved: DetectionConfig = {
    identity: { ...DEFAULT_DETECTION_CONFIG.identity, ...identity },
    authEndpoints: authEndpoints ?? [...DEFAULT_DETECTION_CONFIG.authEndpoints],
    trustedBots: trustedBots ?? DEFAULT_DETECTION_CONFIG.trustedBots.map((b) => ({ ...b, asns: [...b.asns] })),
    thresholds: merge(DEFAULT_DETECTION_CONFIG.thresholds, thresholds, 'thresholds') as DetectionThresholds,
    ...(classify ? { classify } : {}),
  };
  if (!resolved.identity.userClaim)
    throw new DetectionConfigError('detection config: identity.userClaim must not be empty');
  resolved.authEndpoints.forEach((source, i) => {
    checkRegex(source, `authEndpoints[${i}]`);
  });
  resolved.trustedBots.forEach((bot, i) => {
    checkRegex(bot.userAgent, `trustedBots[${i}].userAgent`);
    if (bot.asns.length === 0)
      throw new DetectionConfigError(`detection config: trustedBots[${i}].asns must name at least one ASN`);
  });
  const t = resolved.thresholds;
  checkShare(t.bola.minFailureShare, 'thresholds.bola.minFailureShare');
  checkShare(t.scraping.minSuccessShare, 'thresholds.scraping.minSuccessShare');
  checkShare(t.scanning.minNotFoundShare, 'thresholds.scanning.minNotFoundShare');
  checkShare(t.credentialStuffing.minFailureShare, 'thresholds.credentialStuffing.minFailureShare');
  checkShare(t.unauthenticated.minAuthenticatedShare, 'thresholds.unauthenticated.minAuthenticatedShare');
  for (const [path, value] of [
    ['thresholds.volumetric.peerMultiple', t.volumetric.peerMultiple],
    ['thresholds.bola.peerMultiple', t.bola.peerMultiple],
    ['thresholds.scraping.peerMultiple', t.scraping.peerMultiple],
    ['thresholds.exfiltration.peerMultiple', t.exfiltration.peerMultiple],
  ] as const) {
    if (value < 1) throw new DetectionConfigError(`detection config: ${path} must be at least 1`);
  }
  return resolved;
}

/** Compiled form used on the hot path. */
export interface CompiledDetectionConfig extends DetectionConfig {
  authPatterns: RegExp[];
  botPatterns: Array<{ userAgent: RegExp; asns: Set<string> }>;
}

const compiled = new WeakMap<DetectionConfig, CompiledDetectionConfig>();

export function compileDetectionConfig(config: DetectionConfig): CompiledDetectionConfig {
  const hit = compiled.get(config);
  if (hit) return hit;
  const result: CompiledDetectionConfig = {
    ...config,
    authPatterns: config.authEndpoints.map((source) => new RegExp(source, 'i')),
    botPatterns: config.trustedBots.map((bot) => ({
      userAgent: new RegExp(bot.userAgent, 'i'),
      asns: new Set(bot.asns),
    })),
  };
  compiled.set(config, result);
  return result;
}

export function isAuthEndpoint(config: CompiledDetectionConfig, method: string, path: string): boolean {
  const line = `${method} ${path}`;
  return config.authPatterns.some((re) => re.test(line));
}

export function isTrustedBot(
  config: CompiledDetectionConfig,
  userAgent: string | undefined,
  asn: string | undefined,
): boolean {
  if (!userAgent || !asn) return false;
  return config.botPatterns.some((bot) => bot.asns.has(asn) && bot.userAgent.test(userAgent));
}
