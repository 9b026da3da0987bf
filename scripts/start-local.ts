/**
 * `npm start`: the whole system on this machine for a local demo. Starts every platform's emulator,
 * then the backend, a worker and the scheduler, with prefixed output; Ctrl-C stops them all.
 *
 * Settings come from the shell, then `.env` (or `.env.example` when there is none). Every platform
 * host points at its emulator unless the shell sets it, so nothing reaches a real platform by accident.
 * The database named in DATABASE_URL is created if it does not exist yet.
 */
import concurrently from 'concurrently';
import { existsSync } from 'node:fs';
import pg from 'pg';

/** Each emulator: its folder under emulators/, the variable its main.ts reads its port from, its port. */
const EMULATORS = [
  { name: 'x', portVariable: 'X_EMULATOR_PORT', port: 4567, hosts: ['X_API_BASE_URL', 'X_OAUTH_BASE_URL'] },
  { name: 'mastodon', portVariable: 'MASTODON_EMULATOR_PORT', port: 4568, hosts: [] },
  { name: 'bluesky', portVariable: 'BLUESKY_EMULATOR_PORT', port: 4569, hosts: ['BLUESKY_SERVICE_URL'] },
  {
    name: 'linkedin',
    portVariable: 'LINKEDIN_EMULATOR_PORT',
    port: 4570,
    hosts: ['LINKEDIN_API_BASE_URL', 'LINKEDIN_OAUTH_BASE_URL'],
  },
  {
    name: 'meta-graph',
    portVariable: 'META_GRAPH_EMULATOR_PORT',
    port: 4571,
    hosts: ['FACEBOOK_API_BASE_URL', 'INSTAGRAM_API_BASE_URL', 'FACEBOOK_OAUTH_BASE_URL'],
  },
  {
    name: 'threads',
    portVariable: 'THREADS_EMULATOR_PORT',
    port: 4572,
    hosts: ['THREADS_API_BASE_URL', 'THREADS_OAUTH_BASE_URL'],
  },
  { name: 'telegram', portVariable: 'TELEGRAM_EMULATOR_PORT', port: 4573, hosts: ['TELEGRAM_API_BASE_URL'] },
  { name: 'discord', portVariable: 'DISCORD_EMULATOR_PORT', port: 4574, hosts: ['DISCORD_API_BASE_URL'] },
];

const envFile = existsSync('.env') ? '.env' : '.env.example';
const fromShell = new Set(Object.keys(process.env));
process.loadEnvFile(envFile);

// Hosts the shell set explicitly win; everything else goes to the emulators.
const platformHosts: Record<string, string> = {};
for (const emulator of EMULATORS) {
  for (const variable of emulator.hosts) {
    if (!fromShell.has(variable)) platformHosts[variable] = `http://127.0.0.1:${emulator.port}`;
  }
}
// Mastodon accounts name their instance; the local emulator's is http://127.0.0.1:4568.
if (!fromShell.has('PRIVATE_NETWORK_ALLOWLIST')) platformHosts.PRIVATE_NETWORK_ALLOWLIST = '127.0.0.1';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/herald';
await ensureDatabase(databaseUrl);
console.log(`Settings from ${envFile}; emulated platforms: ${JSON.stringify(platformHosts, null, 1)}`);
console.log(`API on http://localhost:${process.env.PORT ?? 3000}`);

const { result } = concurrently(
  [
    ...EMULATORS.map((emulator) => ({
      name: `${emulator.name}-emulator`,
      command: `tsx emulators/${emulator.name}/main.ts`,
      env: { [emulator.portVariable]: String(emulator.port) },
    })),
    { name: 'backend', command: 'npm run --silent start:backend', env: platformHosts },
    { name: 'worker', command: 'npm run --silent start:worker', env: platformHosts },
    { name: 'scheduler', command: 'npm run --silent start:scheduler', env: platformHosts },
  ],
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
