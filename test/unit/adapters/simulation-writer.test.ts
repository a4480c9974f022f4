import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSimulation } from '../../../shared/adapters/files/simulation-writer.js';
import { createLineDecoder } from '../../../shared/decoders/index.js';
import { LOG_SOURCES } from '../../../shared/events/api-event.js';

describe('writeSimulation', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(LOG_SOURCES)('writes %s logs the decoders read back, and the ground truth', async (format) => {
    // Prepare
    dir = await mkdtemp(path.join(tmpdir(), 'lantern-sim-'));
    // Act
    const written = await writeSimulation({
      scenario: 'scanning',
      seed: 4,
      minutes: 35,
      attackStartMinute: 30,
      volume: 0.1,
      format,
      out: dir,
      perFile: 5000,
    });
    // Assess
    const decode = createLineDecoder(format);
    let ok = 0;
    let rejected = 0;
    for (const file of written.files) {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        const result = decode(line);
        if (result.kind !== 'records') continue;
        for (const outcome of result.outcomes) outcome.ok ? ok++ : rejected++;
      }
    }
    expect(rejected).toBe(0);
    expect(ok).toBe(written.truth.events);
    const truth = JSON.parse(await readFile(written.truthFile, 'utf8'));
    expect(truth).toMatchObject({ format, scenario: 'scanning', seed: 4, expectedTypes: ['scanning'] });
    expect(truth.malicious.length).toBeGreaterThan(0);
  });
});
