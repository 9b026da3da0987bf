/**
 * What `npm run test:stress` reports: pure functions from Jest's `--json` output to the failures of
 * a run, and from every run to the text printed at the end.
 */

/** The part of Jest's `--json` report this reads. */
export interface JestReport {
  numTotalTests: number;
  numFailedTests: number;
  testResults: {
    /** The test file's absolute path. */
    name: string;
    status: string;
    /** Why the file failed as a whole (a failing beforeAll, a syntax error). */
    message: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[];
  }[];
}

export interface TestFailure {
  /** Relative to the repository. */
  file: string;
  /** The test's describe blocks and title; undefined when the file failed as a whole. */
  test?: string;
  /** The failure message's first line, and what a matcher expected and received. */
  reason: string;
}

export interface StressRun {
  durationMs: number;
  /** How many tests ran; undefined when Jest wrote no report. */
  tests?: number;
  failures: TestFailure[];
  /** Why the run failed when it failed without a failing test (Jest crashed, wrote no report). */
  error?: string;
}

export const runPassed = (run: StressRun): boolean => run.failures.length === 0 && run.error === undefined;

export function failuresOf(report: JestReport, root: string): TestFailure[] {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return report.testResults.flatMap((result) => {
    const file = result.name.startsWith(prefix) ? result.name.slice(prefix.length) : result.name;
    const failed = result.assertionResults.filter((assertion) => assertion.status === 'failed');
    if (failed.length === 0) {
      return result.status === 'failed' ? [{ file, reason: gist(result.message) }] : [];
    }
    return failed.map((assertion) => ({
      file,
      test: [...assertion.ancestorTitles, assertion.title].join(' › '),
      reason: gist(assertion.failureMessages.join('\n')),
    }));
  });
}

export function formatStressReport(runs: StressRun[], load: number): string {
  const lines: string[] = [];
  runs.forEach((run, index) => {
    const head = `Run ${index + 1}/${runs.length} (${seconds(run.durationMs)})`;
    if (runPassed(run)) {
      lines.push(`${head}: passed, ${run.tests ?? 0} tests`);
      return;
    }
    lines.push(`${head}: FAILED${run.error ? `: ${run.error}` : ''}`);
    for (const failure of run.failures) lines.push(`  ${describe(failure)}`, `      ${failure.reason}`);
  });

  const failedRuns = runs.filter((run) => !runPassed(run)).length;
  lines.push(
    '',
    `${runs.length} run${runs.length === 1 ? '' : 's'} with ${load} busy process${load === 1 ? '' : 'es'} alongside: ` +
      `${runs.length - failedRuns} passed, ${failedRuns} failed`,
  );
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const key of new Set(run.failures.map(describe))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size > 0) {
    lines.push('Failed tests (in how many runs):');
    const byCount = [...counts].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
    for (const [key, count] of byCount) lines.push(`  ${count}/${runs.length}  ${key}`);
  }
  return lines.join('\n');
}

const describe = (failure: TestFailure): string =>
  failure.test === undefined ? `${failure.file} (the whole file)` : `${failure.file} › ${failure.test}`;

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

// eslint-disable-next-line no-control-regex -- Jest colours its messages with ANSI escapes
const COLOURS = /\u001b\[[0-9;]*m/g;

function gist(message: string): string {
  const lines = message
    .replace(COLOURS, '')
    .split('\n')
    .map((line) => line.trim());
  const first = lines.find((line) => line !== '') ?? 'no message';
  const values = lines.filter((line) => /^(Expected|Received)\b/.test(line)).slice(0, 2);
  return [first, ...values].join(' ');
}
