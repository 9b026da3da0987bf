import { execFileSync } from 'node:child_process';

/** Drops this run's template; each test file drops its own database. */
export default function globalTeardown(): void {
  const { NODE_OPTIONS: _jestOnly, ...environment } = process.env;
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `
      const { dropDatabase, templateDatabase } = await import('./test/support/test-database.ts');
      await dropDatabase(templateDatabase());`,
    ],
    { stdio: 'inherit', env: environment },
  );
}
