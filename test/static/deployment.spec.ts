/**
 * Static checks of the deployment files. No Docker engine runs here, so docker-compose.yml, the
 * Dockerfile and .env.example are checked against the sources they must agree with: nest-cli.json and
 * the tsconfigs (where `npm run build` puts each app), package.json (scripts and runtime dependencies)
 * and the environment schema (libs/shared/src/config/environment.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DEMO_SECRETS, Environment, loadEnvironment, PLATFORMS, variablesOf } from '@app/shared';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');
const readJson = (path: string): any => JSON.parse(read(path));

const APPS = ['backend', 'worker', 'scheduler'] as const;
/** In .env.example but read by development tooling only, never by the apps. */
const DEV_ONLY_VARIABLES = ['X_EMULATOR_PORT'];
/** Required variables without a default. */
const SECRETS = ['ENCRYPTION_KEY', 'ADMIN_TOKEN'];

// ---- the sources of truth -----------------------------------------------------------------------

/** Every property the Environment class declares, with or without an initializer (parsed from source). */
function declaredVariables(): string[] {
  const source = read('libs/shared/src/config/environment.ts');
  const body = source.slice(source.indexOf('export class Environment {'));
  const classBody = body.slice(0, body.indexOf('\n}\n'));
  return [...classBody.matchAll(/^ {2}([A-Z][A-Z0-9_]*)[!?]?\s*[:=;]/gm)].map((match) => match[1]);
}

/** Each platform's variables, with their defaults, come from its definition. */
const PLATFORM_VARIABLES = variablesOf(PLATFORMS);
const VARIABLES = [...declaredVariables(), ...Object.keys(PLATFORM_VARIABLES)];
const DEFAULTS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(new Environment()).map(([name, value]) => [name, String(value)])),
  ...PLATFORM_VARIABLES,
};

/** Where `nest build <app>` writes the app's entry file, from nest-cli.json and the app's tsconfig. */
function builtFile(app: string, sourceFile?: string): string {
  const nest = readJson('nest-cli.json');
  const project = nest.projects[app];
  const tsconfigPath: string = project.compilerOptions?.tsConfigPath ?? nest.compilerOptions.tsConfigPath;
  const tsconfig = readJson(tsconfigPath);
  const basePath = posix.join(posix.dirname(tsconfigPath), tsconfig.extends);
  const base = readJson(basePath);
  const outDir = posix.join(posix.dirname(tsconfigPath), tsconfig.compilerOptions.outDir);
  const rootDir = tsconfig.compilerOptions.rootDir
    ? posix.join(posix.dirname(tsconfigPath), tsconfig.compilerOptions.rootDir)
    : posix.join(posix.dirname(basePath), base.compilerOptions.rootDir);
  const source = sourceFile ?? posix.join(project.sourceRoot, `${project.entryFile}.ts`);
  expect(existsSync(`${ROOT}${source}`)).toBe(true);
  return posix.join(outDir, posix.relative(rootDir, source)).replace(/\.ts$/, '.js');
}

const scripts: Record<string, string> = readJson('package.json').scripts;

// ---- docker-compose.yml -------------------------------------------------------------------------

const compose = parse(read('docker-compose.yml'), { merge: true });
const services: Record<string, any> = compose.services;
const envExample = parseEnvFile(read('.env.example'));

/** Resolves `${NAME}`, `${NAME:-default}` and `${NAME:?message}` the way docker compose does. */
function interpolate(value: string, variables: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, operator, argument) => {
    if (variables[name]) return variables[name];
    if (operator === ':?') throw new Error(`${name} is required: ${argument}`);
    return operator === ':-' ? argument : '';
  });
}

const asArgv = (command: unknown): string[] =>
  typeof command === 'string' ? command.split(/\s+/) : (command as string[]);
const seconds = (duration: string): number => {
  const match = /^(\d+)(ms|s|m|h)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
};

describe('docker-compose.yml', () => {
  it('defines exactly postgres, redis and the three Herald apps', () => {
    expect(Object.keys(services).sort()).toEqual(['backend', 'postgres', 'redis', 'scheduler', 'worker']);
  });

  it('gives every service a health check', () => {
    for (const [name, service] of Object.entries(services)) {
      const test = asArgv(service.healthcheck?.test);
      expect([name, test?.[0]]).toEqual([name, expect.stringMatching(/^CMD(-SHELL)?$/)]);
      expect(test.length).toBeGreaterThan(1);
      expect(service.healthcheck.disable).toBeUndefined();
    }
  });

  it('runs PostgreSQL 16 on a named volume with the credentials the apps use', () => {
    const postgres = services.postgres;
    expect(postgres.image).toBe('postgres:16-alpine');
    expect(postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain('postgres-data');
    expect(asArgv(postgres.healthcheck.test).join(' ')).toContain('pg_isready');
    const url = new URL(services.backend.environment.DATABASE_URL);
    expect([url.hostname, url.username, url.password, url.pathname]).toEqual([
      'postgres',
      postgres.environment.POSTGRES_USER,
      postgres.environment.POSTGRES_PASSWORD,
      `/${postgres.environment.POSTGRES_DB}`,
    ]);
  });

  it('runs Redis with noeviction (BullMQ) and append-only persistence on a named volume', () => {
    const redis = services.redis;
    expect(redis.image).toBe('redis:7-alpine');
    const command = asArgv(redis.command).join(' ');
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    expect(command).toMatch(/--appendonly yes\b/);
    expect(redis.volumes).toContain('redis-data:/data');
    expect(Object.keys(compose.volumes)).toContain('redis-data');
    expect(asArgv(redis.healthcheck.test).join(' ')).toContain('redis-cli ping');
    expect(new URL(services.backend.environment.REDIS_URL).hostname).toBe('redis');
  });

  it('builds one image for all three apps', () => {
    for (const app of APPS) {
      expect([app, services[app].build, services[app].image]).toEqual([app, '.', services.backend.image]);
      expect(services[app].restart).toBe('unless-stopped');
    }
  });

  it('runs the backend with the image default command, on port 3000, once its dependencies are healthy', () => {
    const backend = services.backend;
    expect(backend.command).toBeUndefined();
    expect(backend.environment.PORT).toBe('3000');
    expect(backend.ports).toEqual(['${PORT:-3000}:3000']);
    expect(backend.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(asArgv(backend.healthcheck.test).join(' ')).toContain("fetch('http://127.0.0.1:3000/health/ready'");
  });

  it.each(['worker', 'scheduler'])('runs the %s from the built file, after the backend has migrated', (app) => {
    expect(asArgv(services[app].command)).toEqual(['node', builtFile(app)]);
    expect(services[app].depends_on).toEqual({ backend: { condition: 'service_healthy' } });
  });

  it.each(['worker', 'scheduler'])('lets the %s scale: no container_name, no host ports', (app) => {
    expect(services[app]).not.toHaveProperty('container_name');
    expect(services[app]).not.toHaveProperty('ports');
  });

  it.each(['worker', 'scheduler'])('checks the %s through its liveness endpoint on HEALTH_PORT', (app) => {
    expect(services[app].environment.HEALTH_PORT).toBe('8080');
    expect(asArgv(services[app].healthcheck.test).join(' ')).toContain("fetch('http://127.0.0.1:8080/health'");
  });

  it('gives the worker at least a minute to finish active jobs on SIGTERM', () => {
    expect(seconds(services.worker.stop_grace_period)).toBeGreaterThanOrEqual(60);
  });

  it('passes every environment variable to every app, with the schema defaults and required secrets', () => {
    for (const app of APPS) {
      const environment: Record<string, string> = services[app].environment;
      // The backend serves HTTP on PORT; the worker and the scheduler only their liveness check on HEALTH_PORT.
      const expected = VARIABLES.filter((name) => name !== (app === 'backend' ? 'HEALTH_PORT' : 'PORT'));
      expect([app, Object.keys(environment).sort()]).toEqual([app, [...expected].sort()]);
      for (const [name, value] of Object.entries(environment)) {
        const fallback = /^\$\{[A-Z_0-9]+:-(.*)\}$/.exec(String(value));
        if (fallback) expect([name, fallback[1]]).toEqual([name, DEFAULTS[name]]);
      }
      for (const name of SECRETS) {
        expect(environment[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?.*\\.env\\.example.*\\}$`));
      }
    }
  });

  it('yields a valid environment with only the secrets set, and refuses to start without them', () => {
    const secrets = {
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: randomBytes(24).toString('base64'),
    };
    for (const app of APPS) {
      const environment: Record<string, string> = services[app].environment;
      const resolved = Object.fromEntries(
        Object.entries(environment).map(([name, value]) => [name, interpolate(String(value), secrets)]),
      );
      expect(loadEnvironment(resolved)).toMatchObject({ NODE_ENV: 'production', REDIS_URL: 'redis://redis:6379' });
      expect(() => interpolate(environment.ENCRYPTION_KEY, {})).toThrow(/ENCRYPTION_KEY is required/);
    }
  });

  it('refuses to start with the demo secrets of .env.example, as copied by the deployment steps', () => {
    const demo = Object.fromEntries(SECRETS.map((name) => [name, envExample.values[name]]));
    const environment: Record<string, string> = services.backend.environment;
    const resolved = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [name, interpolate(String(value), demo)]),
    );
    expect(() => loadEnvironment(resolved)).toThrow(/- ENCRYPTION_KEY: is the public demo value/);
    expect(() => loadEnvironment(resolved)).toThrow(/- ADMIN_TOKEN: is the public demo value/);
  });
});

// ---- .env.example -------------------------------------------------------------------------------

function parseEnvFile(text: string): { values: Record<string, string>; keys: string[]; uncommented: string[] } {
  const lines = text.split('\n');
  const values: Record<string, string> = {};
  const keys: string[] = [];
  const uncommented: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`.env.example line ${index + 1} is not KEY=value: ${line}`);
    keys.push(match[1]);
    values[match[1]] = match[2];
    if (!lines[index - 1]?.startsWith('#')) uncommented.push(match[1]);
  });
  return { values, keys, uncommented };
}

describe('.env.example', () => {
  const appValues = Object.fromEntries(
    Object.entries(envExample.values).filter(([name]) => !DEV_ONLY_VARIABLES.includes(name)),
  );

  it('lists every variable of the environment schema once, and nothing the apps do not read', () => {
    expect(new Set(envExample.keys).size).toBe(envExample.keys.length);
    expect(Object.keys(appValues).sort()).toEqual([...VARIABLES].sort());
    expect(envExample.keys.filter((name) => !VARIABLES.includes(name))).toEqual(DEV_ONLY_VARIABLES);
  });

  it('declares a superset of what the Environment class initializes (the source parser misses nothing)', () => {
    expect(VARIABLES).toEqual(expect.arrayContaining(Object.keys(DEFAULTS)));
    expect(VARIABLES).toEqual(expect.arrayContaining(SECRETS));
  });

  it('explains each variable in a comment directly above it', () => {
    expect(envExample.uncommented).toEqual([]);
  });

  it('passes the environment validation as it stands', () => {
    expect(() => loadEnvironment(appValues)).not.toThrow();
  });

  it('shows the built-in default for every variable except the secrets', () => {
    for (const name of VARIABLES.filter((variable) => !SECRETS.includes(variable))) {
      expect([name, envExample.values[name]]).toEqual([name, DEFAULTS[name]]);
    }
  });

  it('has no secret value that production would not refuse', () => {
    const secretValues = Object.entries(envExample.values).filter(
      ([name, value]) => /(SECRET|TOKEN|KEY)$/.test(name) && value !== '',
    );
    expect(Object.fromEntries(secretValues)).toEqual(DEMO_SECRETS);
  });

  it('marks the demo secrets "change me" and says how to generate the key', () => {
    const text = read('.env.example');
    expect(Buffer.from(envExample.values.ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    for (const name of SECRETS) {
      const comment =
        text
          .slice(0, text.indexOf(`\n${name}=`))
          .split('\n\n')
          .pop() ?? '';
      expect([name, comment]).toEqual([name, expect.stringMatching(/change me/i)]);
    }
    expect(text).toContain('openssl rand -base64 32');
  });
});

// ---- Dockerfile -----------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions per stage (line continuations joined, comments dropped). */
function dockerStages(text: string): Instruction[][] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
      return { keyword: keyword.toUpperCase(), args: args.trim() };
    });
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const build = stages[0];
  const final = stages.at(-1)!;
  const all = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds in a stage named build and runs the result in a separate stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build[0].args).toMatch(/ AS build$/);
    expect(final[0].args).not.toMatch(/ AS build$/);
  });

  it('installs from the lockfile, builds, then prunes devDependencies', () => {
    const run = all(build, 'RUN').join(' && ');
    const steps = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((step) => run.indexOf(step));
    expect(steps.every((position) => position >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(all(build, 'COPY')[0]).toBe('package.json package-lock.json ./');
  });

  it('copies package.json (for "type": "module"), node_modules and dist from the build stage', () => {
    const copies = all(final, 'COPY');
    for (const path of ['package.json', 'node_modules', 'dist']) {
      expect(copies).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^--from=build /app/${path} `))]),
      );
    }
    expect(all(final, 'ENV')).toContain('NODE_ENV=production');
  });

  it('runs as a non-root user', () => {
    const users = all(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const lastUser = final.findLastIndex((i) => i.keyword === 'USER');
    expect(final.slice(lastUser).some((i) => i.keyword === 'RUN')).toBe(false);
  });

  it('starts the backend by default, from the file npm run start:backend runs', () => {
    const cmd = all(final, 'CMD');
    expect(cmd).toHaveLength(1);
    const argv = JSON.parse(cmd[0]) as string[];
    expect(argv).toEqual(['node', builtFile('backend')]);
    expect(argv.join(' ')).toBe(scripts['start:backend']);
  });

  it('keeps local state out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', 'coverage', '*.log', '.env']));
  });
});

// ---- package.json ---------------------------------------------------------------------------------

describe('package.json against the build layout', () => {
  it.each(APPS)('builds %s and starts it from where nest build writes it', (app) => {
    expect(scripts.build.split(/\s*&&\s*/)).toContain(`nest build ${app}`);
    expect(scripts[`start:${app}`]).toBe(`node ${builtFile(app)}`);
  });

  it('migrates from the built migrate.js', () => {
    expect(scripts['db:migrate']).toBe(`node ${builtFile('backend', 'apps/backend/src/migrate.ts')}`);
  });

  it('re-encrypts stored secrets from the built reencrypt-keys.js', () => {
    expect(scripts['keys:reencrypt']).toBe(`node ${builtFile('backend', 'apps/backend/src/reencrypt-keys.ts')}`);
  });

  it('lists every package the apps import at runtime in dependencies, so npm prune --omit=dev keeps it', () => {
    const { dependencies } = readJson('package.json');
    const builtins = new Set(builtinModules);
    const imported = new Set<string>();
    const sourceFiles = ['apps', 'libs'].flatMap((dir) =>
      (readdirSync(`${ROOT}${dir}`, { recursive: true }) as string[])
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && file.includes(`src${posix.sep}`))
        .map((file) => `${dir}/${file}`),
    );
    expect(sourceFiles).toContain('apps/worker/src/main.ts');
    for (const file of sourceFiles) {
      const source = read(file);
      const specifiers = [
        ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm),
        ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
        ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((match) => match[1]);
      for (const specifier of specifiers) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier === '@app/shared') continue;
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!builtins.has(name)) imported.add(name);
      }
    }
    expect(imported).toContain('@nestjs/core');
    expect([...imported].filter((name) => !(name in dependencies))).toEqual([]);
  });
});
