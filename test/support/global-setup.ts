import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Names this run (test workers inherit the variable; see test-database.ts for the format) and
 * prepares its template database. Only node: imports here: Jest loads this file without its
 * module mapping, so the TypeScript helpers run through tsx in a child process.
 */
export default function globalSetup(): void {
  process.env.HERALD_TEST_RUN ??= `${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const { NODE_OPTIONS: _jestOnly, ...environment } = process.env;
  execFileSync(process.execPath, ['--import', 'tsx', 'test/support/prepare-template.ts'], {
    stdio: 'inherit',
    env: environment,
  });
}
