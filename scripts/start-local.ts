/**
 * `npm start`: the whole system on this machine for a local demo. Starts the X API emulator, then
 * the backend, a worker and the scheduler, with prefixed output; Ctrl-C stops them all.
 *
 * Settings come from the shell, then `.env` (or `.env.example` when there is none). X_API_BASE_URL
 * points at the emulator unless the shell sets it, so nothing reaches the real X by accident.
 * The database named in DATABASE_URL is created if it does not exist yet.
 */
import concurrently from 'concurrently';
import { existsSync } from 'node:fs';
import pg from 'pg';

const envFile = existsSync('.env') ? '.env' : '.env.example';
const explicitXUrl = process.env.X_API_BASE_URL;
process.loadEnvFile(envFile);

const emulatorPort = process.env.X_EMULATOR_PORT ?? '4567';
const xApiBaseUrl = explicitXUrl ?? `http://127.0.0.1:${emulatorPort}`;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/herald';

await ensureDatabase(databaseUrl);
console.log(`Settings from ${envFile}; X API at ${xApiBaseUrl}; API on http://localhost:${process.env.PORT ?? 3000}`);

const { result } = concurrently(
  [
    { name: 'x-emulator', command: 'tsx emulators/x/main.ts', env: { X_EMULATOR_PORT: emulatorPort } },
    { name: 'backend', command: 'npm run --silent start:backend' },
    { name: 'worker', command: 'npm run --silent start:worker' },
    { name: 'scheduler', command: 'npm run --silent start:scheduler' },
  ].map((command) => ({ ...command, env: { ...command.env, X_API_BASE_URL: xApiBaseUrl } })),
  { prefix: 'name', killOthersOn: ['failure'], handleInput: false },
);
await result.catch(() => process.exit(1));

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
