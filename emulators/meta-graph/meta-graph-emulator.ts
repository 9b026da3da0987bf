import {
  type EmulatorFault,
  type EmulatorRequest,
  type RecordedRequest,
  startEmulatorServer,
} from '../kit/emulator-server.js';
import { type EmulatedFacebookPost, FacebookPages } from './facebook-pages.js';
import { type EmulatedApp, FacebookLoginEmulation } from './facebook-login.js';
import { type EmulatedInstagramAccount, GraphDirectory, instagramAccountNode, pageNode } from './graph-directory.js';
import {
  graphErrorBody,
  type GraphNode,
  graphPath,
  rateLimitBody,
  selectFields,
  unsupportedRequest,
  usageHeaders,
} from './graph-wire.js';
import { type EmulatedInstagramMedia, InstagramPublishing } from './instagram-publishing.js';

/**
 * An in-process stand-in for the parts of Meta's Graph API that Herald calls, for Facebook Pages and
 * Instagram professional accounts alike (one graph host, as graph.facebook.com), plus the Facebook Login
 * dialog. It speaks Graph's wire format (error bodies and codes, usage headers, ids, field selection), really
 * downloads the image URLs it is given, and keeps what was published. Independent of Herald's code.
 */

export interface MetaGraphEmulatorOptions {
  port?: number;
  host?: string;
  /** The Meta app Facebook Login accepts (FACEBOOK_APP_ID / FACEBOOK_APP_SECRET). */
  app?: EmulatedApp;
  /** How many status reads a new Instagram container answers IN_PROGRESS before it is done (default 1). */
  containerProcessingReads?: number;
}

/** A Page made for a test, with a Page token holding every permission Herald asks for. */
export interface EmulatedPageAccess {
  pageId: string;
  pageName: string;
  accessToken: string;
  instagramUserId?: string;
  instagramUsername?: string;
}

export interface MetaGraphEmulator {
  /** Base URL without trailing slash: the Graph API host and the Facebook Login host at once. */
  readonly url: string;
  readonly app: EmulatedApp;
  readonly requests: RecordedRequest[];
  readonly facebookPosts: readonly EmulatedFacebookPost[];
  readonly instagramMedia: readonly EmulatedInstagramMedia[];
  /** A new Page, connected to a new Instagram account unless `instagramUsername` is false. */
  createPage(options?: { name?: string; instagramUsername?: string | false }): EmulatedPageAccess;
  /** Later calls with the token get Graph's code 190 answer. */
  revokeToken(token: string): void;
  /** Makes the next Instagram container created end in ERROR or EXPIRED. */
  endNextContainerWith(status: 'ERROR' | 'EXPIRED'): void;
  failNext(fault: EmulatorFault): void;
  setDelay(ms: number): void;
  /** Forgets posts, containers, codes, revocations, requests, faults and the delay; Pages and tokens stay. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_APP: EmulatedApp = { id: '1234567890123456', secret: 'emulated-app-secret' };

export async function startMetaGraphEmulator(options: MetaGraphEmulatorOptions = {}): Promise<MetaGraphEmulator> {
  const directory = new GraphDirectory();
  const login = new FacebookLoginEmulation(directory, options.app ?? DEFAULT_APP);
  const facebook = new FacebookPages(directory);
  const instagram = new InstagramPublishing(directory, options.containerProcessingReads ?? 1);

  const createPage = (pageOptions: Parameters<MetaGraphEmulator['createPage']>[0] = {}): EmulatedPageAccess => {
    const { page, accessToken } = directory.createPage(pageOptions);
    return {
      pageId: page.id,
      pageName: page.name,
      accessToken,
      ...(page.instagram ? { instagramUserId: page.instagram.id, instagramUsername: page.instagram.username } : {}),
    };
  };

  /** `GET /{id}` and `GET /me`: whatever node the id names, as the token may see it. */
  const readNode = (request: EmulatorRequest, id: string | undefined): GraphNode => {
    const grant = directory.authenticate(request);
    if (id === undefined) {
      const page = grant.pageId === undefined ? undefined : directory.pages.get(grant.pageId);
      if (page) return pageNode(page, { instagram: grant.scopes.has('instagram_basic') });
      return {
        type: 'User',
        fields: { id: directory.person.id, name: directory.person.name },
        defaultFields: ['name', 'id'],
      };
    }
    const page = directory.pages.get(id);
    if (page) return pageNode(page, { instagram: grant.scopes.has('instagram_basic') });
    const mayRead = (account: EmulatedInstagramAccount) => directory.mayActForInstagram(grant, account);
    const account = directory.instagramAccounts.get(id);
    if (account && mayRead(account)) return instagramAccountNode(account);
    const node = instagram.node(id, mayRead) ?? facebook.node(id);
    if (!node) throw unsupportedRequest('GET', id);
    return node;
  };

  const server = await startEmulatorServer({
    name: 'meta-graph-emulator',
    port: options.port,
    host: options.host,
    routes: [
      ...login.routes(),
      ...facebook.routes(),
      ...instagram.routes(),
      {
        name: 'me',
        method: 'GET',
        path: graphPath('/me'),
        handle: (request) => ({ status: 200, body: selectFields(readNode(request, undefined), request) }),
      },
      {
        name: 'node',
        method: 'GET',
        path: graphPath('/(?<id>\\d+)'),
        handle: (request) => ({ status: 200, body: selectFields(readNode(request, request.params.id), request) }),
      },
    ],
    errorBody: faultBody,
    rateLimitHeaders: (resetInSeconds) => usageHeaders(resetInSeconds),
    controls: {
      'POST /_emulator/pages': (body) =>
        createPage({
          name: typeof body?.name === 'string' ? body.name : undefined,
          instagramUsername: body?.instagram === false || body?.instagram === 'false' ? false : undefined,
        }),
      'POST /_emulator/revoke': (body) => {
        if (typeof body?.token === 'string') directory.revoke(body.token);
        return { revoked: typeof body?.token === 'string' };
      },
      'POST /_emulator/container-outcome': (body) => {
        if (body?.status === 'ERROR' || body?.status === 'EXPIRED') instagram.endNextContainerWith(body.status);
        return { ok: true };
      },
      'GET /_emulator/posts': () => ({
        facebook: facebook.posts.map((post) => ({
          ...post,
          photos: post.photos.map(({ bytes, ...photo }) => ({ ...photo, sizeBytes: bytes.length })),
        })),
        instagram: instagram.media.map((media) => ({
          ...media,
          images: media.images.map(({ bytes, altText }) => ({ altText, sizeBytes: bytes.length })),
        })),
      }),
    },
    onReset: () => {
      login.reset();
      facebook.reset();
      instagram.reset();
      directory.forgetRevocations();
    },
  });

  return {
    url: server.url,
    app: login.app,
    requests: server.requests,
    facebookPosts: facebook.posts,
    instagramMedia: instagram.media,
    createPage,
    revokeToken: (token) => directory.revoke(token),
    endNextContainerWith: (status) => instagram.endNextContainerWith(status),
    failNext: (fault) => server.failNext(fault),
    setDelay: (ms) => server.setDelay(ms),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

/** Graph's body for an injected fault or an unknown route, by status. */
function faultBody(status: number, message: string): unknown {
  switch (status) {
    case 429:
      return rateLimitBody(4);
    case 401:
      return graphErrorBody({ message: 'Invalid OAuth access token - Cannot parse access token', code: 190 });
    case 404:
      return graphErrorBody({ message: `(#803) ${message}`, code: 803 });
    case 503:
      return graphErrorBody({
        message: 'An unexpected error has occurred. Please retry your request later.',
        code: 2,
        transient: true,
      });
    default:
      if (status >= 500) return graphErrorBody({ message: 'An unknown error has occurred.', code: 1, transient: true });
      return graphErrorBody({ message: `(#100) ${message}`, code: 100 });
  }
}
