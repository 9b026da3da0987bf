import { execFileSync } from 'node:child_process';

/** Prepares the template database once per run (see prepare-template.ts). */
export default function globalSetup(): void {
  const { NODE_OPTIONS: _ignored, ...environment } = process.env;
  execFileSync(process.execPath, ['--import', 'tsx', 'test/support/prepare-template.ts'], {
    stdio: 'inherit',
    env: environment,
  });
}
