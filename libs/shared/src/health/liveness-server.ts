import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { LivenessIndicator, runLivenessChecks } from './liveness-check.js';

/** Each check's bound; with the HTTP round trip it stays inside the 4 s docker-compose.yml allows. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Serves `GET /health` on HEALTH_PORT (none when it is 0) for the worker and the scheduler: 200
 * `{ status: 'ok', checks }` while every check of the app's {@link LivenessIndicator} passes, 503
 * `{ status: 'error', checks }` naming the failing ones otherwise.
 *
 * Plain node:http on purpose: these apps boot with `createApplicationContext`, without an HTTP
 * platform, and @nestjs/terminus only reports through a controller on one. One route does not
 * justify adding Express to them.
 */
@Injectable()
export class LivenessServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LivenessServer.name);
  private server?: Server;

  constructor(
    private readonly indicator: LivenessIndicator,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.healthPort;
    if (port === 0) return;
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.error(`Liveness check failed to answer: ${(error as Error).message}`);
        if (!response.headersSent) send(response, 500, { status: 'error', message: 'Internal error' });
      });
    });
    // A taken port stops the boot, like any other bad configuration.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`Liveness check on port ${port}: GET /health`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/health') {
      send(response, 404, { statusCode: 404, error: 'Not Found', message: `Cannot ${request.method} ${path}` });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, { statusCode: 405, error: 'Method Not Allowed', message: 'Use GET /health' });
      return;
    }
    const report = await runLivenessChecks(this.indicator.checks(), CHECK_TIMEOUT_MS);
    if (report.status === 'error') {
      const down = Object.entries(report.checks).filter(([, result]) => result.status === 'down');
      this.logger.warn(`Not live: ${down.map(([name, result]) => `${name} (${result.message})`).join(', ')}`);
    }
    send(response, report.status === 'ok' ? 200 : 503, report, request.method === 'HEAD');
  }
}

function send(response: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  response.end(headOnly ? undefined : json);
}
