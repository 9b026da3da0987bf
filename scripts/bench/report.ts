import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** One line of the table: a figure beside its baseline from the same run, and the ratio against the target. */
export interface Row {
  measurement: string;
  figure: string;
  baseline: string;
  ratio: string;
  target: string;
  /** undefined: no target (a reference figure). */
  met?: boolean;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const rate = (perSecond: number, unit = '/s') => `${perSecond.toFixed(0)}${unit}`;
export const times = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–');

/** A Markdown table, so a run can be pasted into docs/benchmarks.md as it is printed. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function figuresTable(rows: Row[]): string {
  return markdownTable(
    ['measurement', 'figure', 'baseline (same run)', 'ratio', 'target', 'met'],
    rows.map((row) => [
      row.measurement,
      row.figure,
      row.baseline,
      row.ratio,
      row.target,
      row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    ]),
  );
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    load: os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
  };
}

/** Writes the run to bench-results/<timestamp>.json (gitignored) and returns the path. */
export function writeResults(results: object): string {
  const directory = 'bench-results';
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
