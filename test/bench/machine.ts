/** What a benchmark figure was measured on: the figures mean little without the machine and how busy it was. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1, 5 and 15 minute load averages when the facts were taken. */
  loadAverage: [number, number, number];
  takenAt: string;
}

export function machineFacts(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}${distribution()}`,
    loadAverage: loadAverage(),
    takenAt: new Date().toISOString(),
  };
}

export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  const round = (n: number) => Math.round(n * 100) / 100;
  return [round(one), round(five), round(fifteen)];
}

/** The distribution's name from os-release, when there is one: the kernel release alone does not say it. */
function distribution(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const name = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text)?.[1];
    return name ? ` (${name})` : '';
  } catch {
    return '';
  }
}
