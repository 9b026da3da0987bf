/**
 * `npm run test:stress`: hunts flaky tests. Builds once, then runs the whole Jest suite N times while
 * busy-looping processes (one per core by default) keep the machine loaded, as a shared CI runner
 * would. Prints each run's failures and a summary; exits 1 if any run failed.
 *
 *   npm run test:stress                               # 3 runs of every test
 *   npm run test:stress -- --runs 10 --load 4         # 10 runs beside 4 busy processes
 *   npm run test:stress -- --runs 5 test/integration  # only these paths (passed on to Jest)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failuresOf, formatStressReport, runPassed, type JestReport, type StressRun } from './test-stress-report.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function parseOptions(args: string[]): { runs: number; load: number; jestArgs: string[] } {
  const options = { runs: 3, load: availableParallelism(), jestArgs: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs' || args[i] === '--load') {
      const value = Number(args[i + 1]);
      if (!Number.isInteger(value) || value < (args[i] === '--runs' ? 1 : 0)) {
        throw new Error(`${args[i]} needs a whole number, not "${args[i + 1]}"`);
      }
      options[args[i] === '--runs' ? 'runs' : 'load'] = value;
      i++;
    } else {
      options.jestArgs.push(args[i]);
    }
  }
  return options;
}

/** Resolves with the exit code (a signal counts as failure). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * A process that keeps one core busy until killed, or until this script dies (it then belongs to
 * init, and notices within a tenth of a second).
 */
const BUSY_LOOP = `const parent = process.ppid;
for (;;) {
  const until = Date.now() + 100;
  while (Date.now() < until);
  if (process.ppid !== parent) process.exit(0);
}`;

function startLoad(processes: number): ChildProcess[] {
  return Array.from({ length: processes }, () => spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
}

async function runJest(index: number, runs: number, jestArgs: string[], reportDir: string): Promise<StressRun> {
  const outputFile = join(reportDir, `run-${index + 1}.json`);
  console.log(`\n=== test:stress run ${index + 1}/${runs} ===`);
  const started = Date.now();
  const exitCode = await run(
    process.execPath,
    [join(ROOT, 'node_modules/jest/bin/jest.js'), '--json', '--outputFile', outputFile, ...jestArgs],
    { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' },
  );
  const durationMs = Date.now() - started;
  if (!existsSync(outputFile)) {
    return { durationMs, failures: [], error: `Jest exited with code ${exitCode} and wrote no report` };
  }
  const report = JSON.parse(readFileSync(outputFile, 'utf8')) as JestReport;
  const failures = failuresOf(report, ROOT);
  const stressRun: StressRun = { durationMs, tests: report.numTotalTests, failures };
  if (exitCode !== 0 && runPassed(stressRun)) stressRun.error = `Jest exited with code ${exitCode}`;
  return stressRun;
}

const options = parseOptions(process.argv.slice(2));
if ((await run('npm', ['run', 'build'])) !== 0) {
  console.error('test:stress: the build failed');
  process.exit(1);
}

const load = startLoad(options.load);
const stopLoad = () => load.forEach((child) => child.kill('SIGKILL'));
process.once('SIGINT', () => {
  stopLoad();
  process.exit(130);
});
const reportDir = mkdtempSync(join(tmpdir(), 'herald-stress-'));
const runs: StressRun[] = [];
try {
  for (let index = 0; index < options.runs; index++) {
    runs.push(await runJest(index, options.runs, options.jestArgs, reportDir));
  }
} finally {
  stopLoad();
  rmSync(reportDir, { recursive: true, force: true });
}

console.log(`\n=== test:stress report ===\n${formatStressReport(runs, options.load)}`);
process.exit(runs.every(runPassed) ? 0 : 1);
