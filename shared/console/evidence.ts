/**
 * A finding's evidence in plain words: each measure the detector recorded becomes one sentence a person reads
 * without knowing the detector ("Distinct objects asked for in 10 minutes: 412 — its peers: 6; the limit is 25.").
 * Unknown measures are still shown, with their name split into words. Pure text: escaping is the renderer's job.
 */

const LABELS: Record<string, { label: string; unit?: 'share' | 'bytes' }> = {
  requestsPer10Min: { label: 'Requests in 10 minutes' },
  peerP99: { label: 'Busiest peers in 10 minutes (99th percentile)' },
  ownEarlierPeak: { label: "This caller's own earlier peak in 10 minutes" },
  rejected429: { label: 'Requests refused as too many (429)' },
  distinctObjectsPer10Min: { label: 'Different objects asked for in 10 minutes' },
  peerObjectsP90: { label: 'Different objects its peers ask for (90th percentile)' },
  failureShare: { label: 'Share refused or not found', unit: 'share' },
  successfulReads: { label: 'Successful reads' },
  successShare: { label: 'Share answered successfully', unit: 'share' },
  catalogueCoverage: { label: 'Share of all known objects read', unit: 'share' },
  knownObjects: { label: 'Objects known on this endpoint' },
  bytesOutPer10Min: { label: 'Bytes downloaded in 10 minutes', unit: 'bytes' },
  meanResponseBytes: { label: 'Average response size', unit: 'bytes' },
  unauthenticatedSuccesses: { label: 'Successful answers without any credential' },
  authenticatedCallerShare: { label: 'Share of other callers that authenticate', unit: 'share' },
  authenticatedCallers: { label: 'Callers that authenticate' },
  classification: { label: 'Endpoint classification' },
  requests: { label: 'Requests' },
  successful: { label: 'Answered successfully' },
  failedLoginsPer10Min: { label: 'Failed logins in 10 minutes' },
  successfulLogins: { label: 'Successful logins' },
  unansweredPathsPer10Min: { label: 'Paths that do not exist probed in 10 minutes' },
  notFoundShare: { label: 'Share answered 404', unit: 'share' },
  countriesPerHour: { label: 'Countries in one hour' },
  asnsPerHour: { label: 'Networks (ASNs) in one hour' },
  addressesPerHour: { label: 'Addresses in one hour' },
  countrySwitchesPerHour: { label: 'Country changes in one hour' },
};

export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 100) / 100);
}

export function formatBytes(value: number): string {
  if (value >= 1e9) return `${formatNumber(value / 1e9)} GB`;
  if (value >= 1e6) return `${formatNumber(value / 1e6)} MB`;
  if (value >= 1e3) return `${formatNumber(value / 1e3)} kB`;
  return `${formatNumber(value)} B`;
}

function formatValue(value: unknown, unit: 'share' | 'bytes' | undefined): string {
  if (typeof value === 'number') {
    if (unit === 'share' && value <= 1) return `${formatNumber(value * 100)} %`;
    if (unit === 'bytes') return formatBytes(value);
    return formatNumber(value);
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

export interface EvidenceLine {
  measure: string;
  label: string;
  /** One sentence. */
  text: string;
  /** Observed above its threshold (or baseline when no threshold). */
  over: boolean;
}

/** Plain-words lines of a finding's evidence, in the detector's order. */
export function evidenceLines(evidence: unknown): EvidenceLine[] {
  if (evidence === null || typeof evidence !== 'object') return [];
  const lines: EvidenceLine[] = [];
  for (const [measure, raw] of Object.entries(evidence as Record<string, unknown>)) {
    const known = LABELS[measure];
    const label = known?.label ?? humanize(measure);
    const unit = known?.unit;
    if (raw !== null && typeof raw === 'object' && 'observed' in raw) {
      const m = raw as { observed: unknown; baseline?: unknown; threshold?: unknown };
      const parts = [`${label}: ${formatValue(m.observed, unit)}`];
      if (m.baseline !== undefined) parts.push(`its peers: ${formatValue(m.baseline, unit)}`);
      if (m.threshold !== undefined) parts.push(`the limit is ${formatValue(m.threshold, unit)}`);
      const bar =
        typeof m.threshold === 'number' ? m.threshold : typeof m.baseline === 'number' ? m.baseline : undefined;
      const over = typeof m.observed === 'number' && bar !== undefined && m.observed >= bar;
      lines.push({ measure, label, text: `${parts.join(' — ')}.`, over });
    } else {
      lines.push({ measure, label, text: `${label}: ${formatValue(raw, unit)}.`, over: false });
    }
  }
  return lines;
}

const TYPE_NAMES: Record<string, string> = {
  'bola-enumeration': 'Object enumeration (BOLA)',
  'credential-stuffing': 'Credential stuffing',
  'volumetric-abuse': 'Volumetric abuse',
  scraping: 'Scraping',
  'data-exfiltration': 'Data exfiltration',
  scanning: 'Scanning',
  'token-sharing': 'Token sharing',
  'unauthenticated-access': 'Unauthenticated access',
  'shadow-api-traffic': 'Traffic to a shadow API',
  'zombie-api-traffic': 'Traffic to a zombie API',
};

export function findingTypeName(type: string): string {
  return TYPE_NAMES[type] ?? humanize(type);
}
