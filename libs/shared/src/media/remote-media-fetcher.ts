import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { STATUS_CODES } from 'node:http';
import { addAbortSignal, type Readable } from 'node:stream';
import pLimit from 'p-limit';
import { AppConfig } from '../config/app-config.js';
import { guardedAgents, isBlockedAddress, type OutboundAgents } from '../net/outbound-agents.js';
import { IMAGE_MIME_TYPES } from '../platforms/content-rules.js';
import { formatSize, inspectImage, type InspectedImage } from './image-inspection.js';
import { MediaProblem, MediaTooLarge } from './media-problem.js';

export const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The download of {@link RemoteMediaFetcher.fetchAll} that failed first: which URL (its index), and why. */
export class FailedDownload extends Error {
  constructor(
    readonly index: number,
    readonly problem: MediaProblem,
  ) {
    super(`${index}: ${problem.message}`);
    this.name = 'FailedDownload';
  }
}

/** What the downloads of one post share: what stops them all, and the bytes they may still take. */
interface DownloadBatch {
  signal: AbortSignal;
  budget: ByteBudget;
}

/** Bytes a post's downloads may still add up to (MEDIA_DOWNLOAD_TOTAL_BYTES), taken as they arrive. */
class ByteBudget {
  constructor(private left: number) {}

  fits(bytes: number): boolean {
    return bytes <= this.left;
  }

  /** False once the downloads have taken more than the budget. */
  take(bytes: number): boolean {
    this.left -= bytes;
    return this.left >= 0;
  }
}

/**
 * Downloads images from URLs a user gave. Every hop (redirects are followed here, one by one,
 * not by axios) goes through the SSRF-guarded agents, which check each resolved address; the whole
 * download shares one deadline, and the body is cut off as soon as it passes MEDIA_MAX_BYTES, or
 * takes a post's downloads past MEDIA_DOWNLOAD_TOTAL_BYTES. Failures are {@link MediaProblem}s
 * worded for the client.
 */
@Injectable()
export class RemoteMediaFetcher implements OnModuleDestroy {
  private readonly agents: OutboundAgents;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly downloads: AppConfig['media']['downloads'];

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.timeoutMs = config.publishing.platformTimeoutMs;
    this.maxBytes = config.media.maxBytes;
    this.downloads = config.media.downloads;
    this.agents = guardedAgents(config.privateNetworkAllowlist);
    this.http = axios.create({
      httpAgent: this.agents.httpAgent,
      httpsAgent: this.agents.httpsAgent,
      // A proxy would be the only address the guard sees: never use one for user-given URLs.
      proxy: false,
      maxRedirects: 0,
      responseType: 'stream',
      validateStatus: () => true,
      headers: { Accept: IMAGE_MIME_TYPES.join(', '), 'User-Agent': 'Herald media fetcher' },
    });
  }

  /**
   * Downloads one post's images, in order: MEDIA_DOWNLOAD_CONCURRENCY at a time, MEDIA_DOWNLOAD_TOTAL_BYTES
   * in all. The first failure aborts the downloads under way and starts no more (the post is refused
   * anyway), then rejects with {@link FailedDownload}; it settles only once every download has stopped.
   */
  async fetchAll(urls: readonly string[]): Promise<InspectedImage[]> {
    const abort = new AbortController();
    const batch: DownloadBatch = { signal: abort.signal, budget: new ByteBudget(this.downloads.totalBytes) };
    const limit = pLimit(this.downloads.concurrency);
    let failure: Error | undefined;
    const images = await Promise.all(
      urls.map((url, index) =>
        limit(async () => {
          if (abort.signal.aborted) return undefined;
          try {
            return await this.fetch(url, batch);
          } catch (error) {
            // What a download says once the batch was aborted is only the abort.
            if (abort.signal.aborted) return undefined;
            abort.abort();
            failure = error instanceof MediaProblem ? new FailedDownload(index, error) : (error as Error);
            return undefined;
          }
        }),
      ),
    );
    if (failure !== undefined) throw failure;
    return images as InspectedImage[];
  }

  /** Downloads one image; within `batch`, it shares the budget and stops with the others. */
  async fetch(rawUrl: string, batch = this.newBatch()): Promise<InspectedImage> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([deadline, batch.signal]);
    let url = parseRemoteUrl(rawUrl, 'is');
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.get(url, signal, deadline, redirects > 0);
      const { status } = response;
      if (REDIRECT_STATUSES.has(status)) {
        response.data.destroy();
        if (redirects === MAX_REDIRECTS) throw new MediaProblem(`redirects more than ${MAX_REDIRECTS} times`);
        const location = response.headers.location as string | undefined;
        if (!location) throw new MediaProblem(`could not download: the server answered ${status} without a Location`);
        url = parseRemoteUrl(resolveLocation(location, url), 'redirects to');
        continue;
      }
      if (status < 200 || status > 299) {
        response.data.destroy();
        throw new MediaProblem(
          `could not download: the server answered ${status} ${STATUS_CODES[status] ?? ''}`.trim(),
        );
      }
      const bytes = await this.readBody(response, signal, deadline, batch.budget);
      return inspectImage(bytes, this.maxBytes);
    }
  }

  private newBatch(): DownloadBatch {
    return { signal: new AbortController().signal, budget: new ByteBudget(this.downloads.totalBytes) };
  }

  onModuleDestroy(): void {
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  private async get(
    url: URL,
    signal: AbortSignal,
    deadline: AbortSignal,
    redirected: boolean,
  ): Promise<AxiosResponse<Readable>> {
    try {
      return await this.http.get<Readable>(url.href, { signal });
    } catch (error) {
      throw this.explain(error, url, deadline, redirected);
    }
  }

  private async readBody(
    response: AxiosResponse<Readable>,
    signal: AbortSignal,
    deadline: AbortSignal,
    budget: ByteBudget,
  ): Promise<Buffer> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && (declared > this.maxBytes || !budget.fits(declared))) {
      response.data.destroy();
      throw declared > this.maxBytes ? this.tooLarge() : this.overBudget();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of addAbortSignal(signal, response.data) as AsyncIterable<Buffer>) {
        size += chunk.length;
        // Checked while receiving: a server may send no Content-Length, or lie in it.
        if (size > this.maxBytes || !budget.take(chunk.length)) {
          response.data.destroy();
          throw size > this.maxBytes ? this.tooLarge() : this.overBudget();
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof MediaProblem) throw error;
      if (deadline.aborted) throw this.timedOut();
      throw new MediaProblem(`could not download: the connection broke (${describe(error)})`);
    }
    return Buffer.concat(chunks);
  }

  private explain(error: unknown, url: URL, deadline: AbortSignal, redirected: boolean): MediaProblem {
    if (isBlockedAddress(error)) {
      return new MediaProblem(
        `${redirected ? 'redirects to' : 'resolves to'} a private or reserved network address, which Herald does not fetch (SSRF protection)`,
      );
    }
    if (deadline.aborted) return this.timedOut();
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOTFOUND') return new MediaProblem(`could not download: the host ${url.hostname} does not exist`);
    if (code === 'ECONNREFUSED') return new MediaProblem(`could not download: ${url.host} refused the connection`);
    return new MediaProblem(`could not download: ${describe(error)}`);
  }

  private timedOut(): MediaProblem {
    return new MediaProblem(`could not download: no complete answer within ${this.timeoutMs / 1000} s`);
  }

  private tooLarge(): MediaProblem {
    return new MediaTooLarge(`is larger than the ${formatSize(this.maxBytes)} Herald accepts (MEDIA_MAX_BYTES)`);
  }

  private overBudget(): MediaProblem {
    const total = formatSize(this.downloads.totalBytes);
    return new MediaTooLarge(
      `takes the post's remote images past the ${total} Herald downloads for one post (MEDIA_DOWNLOAD_TOTAL_BYTES)`,
    );
  }
}

/** A URL Herald may fetch from: http or https, no credentials in it. `verb` starts the problem's sentence. */
function parseRemoteUrl(raw: string, verb: 'is' | 'redirects to'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MediaProblem(verb === 'is' ? 'is not a valid URL' : 'redirects to an invalid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MediaProblem(`${verb} a ${url.protocol.replace(/:$/, '')} URL; Herald only fetches http and https`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new MediaProblem(`${verb} a URL with credentials in it, which Herald does not send`);
  }
  return url;
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : 'unknown error';
}
