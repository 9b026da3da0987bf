/**
 * `npm start`: the whole system on this machine for a local demo. Starts every emulator of
 * emulators/registry.ts (in this process, each on its own port), then the backend, a worker and the
 * scheduler, with prefixed output; Ctrl-C stops them all.
 *
 * Settings come from the shell, then `.env` (or `.env.example` when there is none). Every platform
 * variable an emulator's fixture names (hosts, OAuth apps) points at that emulator unless the shell
 * sets it, so nothing reaches a real platform by accident.
 * The database named in DATABASE_URL is created if it does not exist yet.
 */
import concurrently from 'concurrently';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { EMULATORS } from '../emulators/registry.js';
import { startDemoEmulator } from '../emulators/run-emulator.js';

const envFile = existsSync('.env') ? '.env' : '.env.example';
const fromShell = new Set(Object.keys(process.env));
process.loadEnvFile(envFile);

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/herald';
await ensureDatabase(databaseUrl);

// Every emulator of the registry, in this process; what the shell set explicitly wins over its variables.
const platformEnv: Record<string, string> = {};
for (const entry of EMULATORS) {
  const emulator = await startDemoEmulator(entry, entry.port, (line) =>
    console.log(`[${entry.folder}-emulator] ${line}`),
  );
  for (const [name, value] of Object.entries(emulator.env)) if (!fromShell.has(name)) platformEnv[name] = value;
}
console.log(`Settings from ${envFile}; emulated platforms: ${JSON.stringify(platformEnv, null, 1)}`);
console.log(`API on http://localhost:${process.env.PORT ?? 3000}`);

const { result } = concurrently(
  [
    { name: 'backend', command: 'npm run --silent start:backend', env: platformEnv },
    { name: 'worker', command: 'npm run --silent start:worker', env: platformEnv },
    { name: 'scheduler', command: 'npm run --silent start:scheduler', env: platformEnv },
  ],
  { prefix: 'name', killOthersOn: ['failure'], handleInput: false },
);
// The emulators live in this process: leave with the apps.
await result.then(
  () => process.exit(0),
  () => process.exit(1),
);

/** Creates the database of DATABASE_URL when it is missing, so a fresh machine needs no manual step. */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      console.log(`Created database ${name}`);
    }
  } finally {
    await client.end();
  }
}
