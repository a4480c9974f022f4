import { describe, expect, it } from 'vitest';
import {
  CoalescingSetWriter,
  RateGate,
  type SetBackend,
  type Timing,
} from '../../../../shared/adapters/waf/set-writer.js';

function memoryBackend(initial: string[], max = 100) {
  let entries = [...initial];
  let token = 1;
  const writes: string[][] = [];
  const backend: SetBackend = {
    label: 'test set',
    read: async () => ({ entries: [...entries], lockToken: String(token) }),
    write: async (next, lockToken) => {
      if (lockToken !== String(token)) throw new Error('stale');
      entries = [...next];
      token++;
      writes.push([...next]);
    },
    fits: (e) => e.length <= max,
    targetOf: (e) => ({ kind: 'ip', address: e }),
  };
  return { backend, writes };
}

const instant: Timing = { now: () => 0, random: () => 0, sleep: async () => undefined };

describe('coalescing set writer', () => {
  it('within one batch the last change to an entry wins', async () => {
    const { backend, writes } = memoryBackend(['a']);
    const writer = new CoalescingSetWriter(backend, { gate: new RateGate(0, instant), timing: instant });
    const [first, second] = await Promise.all([
      writer.submit([{ entry: 'b', rank: 1 }], ['a']),
      writer.submit([{ entry: 'a', rank: 1 }], ['b']),
    ]);
    expect(first).toBe(second); // one write carried both
    expect(writes).toEqual([]); // net effect: nothing changed
    expect(first?.present.has('a')).toBe(true);
    expect(first?.absent.has('b')).toBe(true);
  });

  it('a failing backend rejects every submitter of that batch, and the next batch still runs', async () => {
    const { backend, writes } = memoryBackend([]);
    let fail = true;
    const flaky: SetBackend = {
      ...backend,
      write: async (e, t) => {
        if (fail) throw new Error('WAFInternalErrorException');
        return backend.write(e, t);
      },
    };
    const writer = new CoalescingSetWriter(flaky, { gate: new RateGate(0, instant), timing: instant });
    await expect(writer.submit([{ entry: 'x', rank: 1 }], [])).rejects.toThrow('WAFInternalErrorException');
    fail = false;
    await writer.submit([{ entry: 'y', rank: 1 }], []);
    expect(writes).toEqual([['y']]);
  });

  it('the rate gate serves callers in order, one interval apart', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const timing: Timing = {
      now: () => now,
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const gate = new RateGate(1000, timing);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => gate.pass().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([1000, 1000]);
  });
});
