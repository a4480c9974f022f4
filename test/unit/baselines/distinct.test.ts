import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDistinct, distinctEstimate, emptyDistinct, mergeDistinct } from '../../../shared/baselines/distinct.js';
import {
  addToSketch,
  emptySketch,
  moveInSketch,
  removeFromSketch,
  sketchQuantile,
} from '../../../shared/baselines/sketch.js';

describe('distinct counter', () => {
  it('is exact while small and ignores repeats', () => {
    const counter = emptyDistinct();
    for (let i = 0; i < 50; i++) addDistinct(counter, `id-${i % 40}`);
    expect(distinctEstimate(counter)).toBe(40);
  });

  it('stays within 20 % (three standard errors) once it is a sketch, and bounded in size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 20_000 }), fc.integer({ min: 0, max: 1000 }), (n, salt) => {
        const counter = emptyDistinct();
        for (let i = 0; i < n; i++) addDistinct(counter, `${salt}/${i}`);
        const estimate = distinctEstimate(counter);
        expect(Math.abs(estimate - n) / n).toBeLessThan(0.2);
        expect(JSON.stringify(counter).length).toBeLessThan(300);
      }),
      // A fixed seed: at three standard errors, one of 25 random draws misses about one run in fifteen.
      { numRuns: 25, seed: 20261124 },
    );
  });

  it('merges as a union', () => {
    const a = emptyDistinct();
    const b = emptyDistinct();
    for (let i = 0; i < 3000; i++) addDistinct(a, String(i));
    for (let i = 2000; i < 5000; i++) addDistinct(b, String(i));
    mergeDistinct(a, b);
    expect(Math.abs(distinctEstimate(a) - 5000) / 5000).toBeLessThan(0.15);
    const c = emptyDistinct();
    const d = emptyDistinct();
    addDistinct(c, 'x');
    addDistinct(d, 'x');
    addDistinct(d, 'y');
    mergeDistinct(c, d);
    expect(distinctEstimate(c)).toBe(2);
  });
});

describe('quantile sketch sample moves', () => {
  it("moves one identity's sample as its peak grows, keeping one sample per identity", () => {
    const sketch = emptySketch();
    for (let i = 1; i <= 99; i++) addToSketch(sketch, 10);
    addToSketch(sketch, 5);
    moveInSketch(sketch, 5, 50);
    moveInSketch(sketch, 50, 500);
    expect(sketch.n).toBe(100);
    expect(sketchQuantile(sketch, 1)).toBeGreaterThan(450);
    removeFromSketch(sketch, 500);
    expect(sketch.n).toBe(99);
    expect(sketchQuantile(sketch, 1)).toBeLessThan(11);
  });

  it('ignores removing what was never added', () => {
    const sketch = emptySketch();
    addToSketch(sketch, 10);
    removeFromSketch(sketch, 1000);
    expect(sketch.n).toBe(1);
  });
});
