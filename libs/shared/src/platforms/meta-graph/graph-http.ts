import type { AxiosInstance } from 'axios';
import { AppConfig } from '../../config/app-config.js';
import { trustedAgents } from '../../net/outbound-agents.js';
import { createPlatformHttp } from '../http/platform-http.js';

/** The Graph API version Herald speaks to Facebook Pages, Instagram and Facebook Login. */
export const GRAPH_API_VERSION = 'v25.0';

/** An axios client for the Graph API at `baseUrl` (graph.facebook.com, or an emulator), version included. */
export function createGraphHttp(baseUrl: string, config: AppConfig): AxiosInstance {
  return createPlatformHttp({
    baseURL: `${baseUrl}/${GRAPH_API_VERSION}`,
    timeoutMs: config.publishing.platformTimeoutMs,
    agents: trustedAgents(),
  });
}

/** Request options authenticating as `accessToken`: a header keeps the token out of URLs, and so out of logs. */
export function withToken(accessToken: string, params?: Record<string, string>) {
  return { headers: { Authorization: `Bearer ${accessToken}` }, params };
}

/** One page of a Graph list. */
interface GraphListPage<T> {
  data?: T[];
  paging?: { cursors?: { after?: string }; next?: string };
}

/**
 * The items of a Graph list (`/me/accounts`, `/{page-id}/published_posts`...), newest first where the list
 * is ordered that way, reading at most `maxPages` pages. Graph says there is more by giving `paging.next`.
 */
export async function* graphListItems<T>(
  http: AxiosInstance,
  path: string,
  options: { accessToken: string; params: Record<string, string>; maxPages: number },
): AsyncGenerator<T> {
  let after: string | undefined;
  for (let page = 0; page < options.maxPages; page += 1) {
    const params = after === undefined ? options.params : { ...options.params, after };
    const { data } = await http.get<GraphListPage<T>>(path, withToken(options.accessToken, params));
    yield* data.data ?? [];
    after = data.paging?.next ? data.paging.cursors?.after : undefined;
    if (after === undefined) return;
  }
}
