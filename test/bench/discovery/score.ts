/**
 * Scoring observed templates against declared ones, parameter names ignored.
 */
import { matchTemplate, normalizeTemplate } from '../../../shared/discovery/template.js';

export interface Keyed {
  host: string;
  method: string;
  template: string;
}

export interface Score {
  truth: number;
  observed: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Declared templates not found as such, but seen as several (or one) more specific templates. */
  overSplit: number;
  /** Observed templates that are not declared and generalise one or more declared templates. */
  overMerged: number;
  /** Observed templates matching nothing declared at all. */
  unexplained: number;
  misses: string[];
  extras: string[];
}

function key(e: Keyed): string {
  return `${e.host} ${e.method} ${normalizeTemplate(e.template)}`;
}

export function score(truth: readonly Keyed[], observed: readonly Keyed[]): Score {
  const truthKeys = new Map(truth.map((t) => [key(t), t]));
  const observedKeys = new Map(observed.map((o) => [key(o), o]));
  let tp = 0;
  for (const k of observedKeys.keys()) if (truthKeys.has(k)) tp++;
  const misses: string[] = [];
  let overSplit = 0;
  for (const [k, t] of truthKeys) {
    if (observedKeys.has(k)) continue;
    misses.push(k);
    const instances = observed.filter(
      (o) => o.host === t.host && o.method === t.method && matchTemplate(o.template, t.template) === 'instance',
    );
    if (instances.length > 0) overSplit++;
  }
  const extras: string[] = [];
  let overMerged = 0;
  let unexplained = 0;
  for (const [k, o] of observedKeys) {
    if (truthKeys.has(k)) continue;
    extras.push(k);
    const generalises = truth.some(
      (t) => t.host === o.host && t.method === o.method && matchTemplate(t.template, o.template) === 'instance',
    );
    const specialises = truth.some(
      (t) => t.host === o.host && t.method === o.method && matchTemplate(o.template, t.template) === 'instance',
    );
    if (generalises) overMerged++;
    else if (!specialises) unexplained++;
  }
  const precision = observedKeys.size === 0 ? 0 : tp / observedKeys.size;
  const recall = truthKeys.size === 0 ? 0 : tp / truthKeys.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    truth: truthKeys.size,
    observed: observedKeys.size,
    truePositives: tp,
    precision,
    recall,
    f1,
    overSplit,
    overMerged,
    unexplained,
    misses,
    extras,
  };
}
