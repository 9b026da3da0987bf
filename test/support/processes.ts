import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export type HeraldApp = 'backend' | 'worker' | 'scheduler';

/** What `npm run build` produces (see the start:* scripts in package.json). */
export const entryOf = (app: HeraldApp): string => `dist/apps/${app}/apps/${app}/src/main.js`;

/** Readiness lines each app logs once it is doing its job. */
const READY_LINE: Record<HeraldApp, RegExp> = {
  backend: /Nest application successfully started/,
  worker: /Consuming post-queue/,
  scheduler: /Requeueing due posts/,
};

/** One Herald app running as its own OS process, as in production. */
export class HeraldProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly app: HeraldApp,
    readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => this.output.push(chunk.toString());
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(app: HeraldApp, environment: Record<string, string>): Promise<HeraldProcess> {
    if (!existsSync(entryOf(app))) throw new Error(`${entryOf(app)} is missing: run \`npm run build\` first`);
    const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
    const child = spawn(process.execPath, [entryOf(app)], {
      env: { ...inherited, ...environment, LOG_LEVEL: 'log', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new HeraldProcess(app, child);
    // A deadline, not a pause: generous because four processes booting at once on a busy 2-core
    // machine took over 30 s (a failed run, 2 December 2026).
    await started.waitForOutput(READY_LINE[app], 120_000);
    return started;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.output.join('');
  }

  /** Waits for `pattern` in the output, from character `since` on (see {@link log}'s length). */
  async waitForOutput(pattern: RegExp, timeoutMs: number, since = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.log.slice(since))) {
      if (!this.alive) throw new Error(`${this.app} exited early:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`${this.app} not ready after ${timeoutMs} ms:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
