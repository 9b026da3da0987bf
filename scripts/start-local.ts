/**
 * `npm start`: the whole system on this machine for a local demo. Starts every emulator of
 * emulators/registry.ts (in this process, each on its own port), then the backend, a worker and the
 * scheduler, with prefixed output; Ctrl-C stops them all.
 *
 * Settings come from the shell, then `.env` (or `.env.example` when there is none). Every platform
 * variable an emulator's fixture names (hosts, OAuth apps) points at that emulator unless the shell
 * sets it, so nothing reaches a real platform by accident.
 * The database named in DATABASE_URL is created if it does not exist yet. When SMTP_URL names this
 * machine (the default, smtp://localhost:2525), a local SMTP server receives Herald's mail (password
 * resets, invitations, alerts) and prints each message, links included, instead of delivering it.
 */
import concurrently from 'concurrently';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { startMailSink } from '../emulators/mail/mail-sink.js';
import { EMULATORS } from '../emulators/registry.js';
import { startDemoEmulator } from '../emulators/run-emulator.js';

const envFile = existsSync('.env') ? '.env' : '.env.example';
const fromShell = new Set(Object.keys(process.env));
process.loadEnvFile(envFile);

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@localhost:5432/herald';
await ensureDatabase(databaseUrl);
await startLocalMail(process.env.SMTP_URL ?? 'smtp://localhost:2525');

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

/** Receives the apps' mail when SMTP_URL names this machine, printing each message. */
async function startLocalMail(smtpUrl: string): Promise<void> {
  const url = new URL(smtpUrl);
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return;
  const sink = await startMailSink({
    host: url.hostname === '[::1]' ? '::1' : url.hostname,
    port: Number(url.port || 25),
    onMail: (mail) =>
      console.log(
        `[mail] To: ${mail.to.join(', ')}\n[mail] Subject: ${mail.subject}\n${mail.text.replace(/^/gm, '[mail] ')}`,
      ),
  });
  console.log(`Mail is not delivered: the local SMTP server ${sink.url} prints it here`);
}

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
