import type { EmulatorRequest } from '../kit/emulator-server.js';
import {
  CONTAINER_LIFETIME_MS,
  graphTimestamp,
  invalidToken,
  LONG_LIVED_TOKEN_SECONDS,
  missingPermission,
  missingToken,
  newToken,
  numericIds,
  PERMISSIONS,
  SHORT_LIVED_TOKEN_SECONDS,
  unsupportedRequest,
} from './threads-wire.js';

export interface ThreadsUser {
  id: string;
  username: string;
}

export interface IssuedToken {
  value: string;
  userId: string;
  appId: string;
  kind: 'short-lived' | 'long-lived';
  scopes: readonly string[];
  issuedAt: Date;
  expiresAt: Date;
}

/** An image Threads fetched from `url` when its container was created. */
export interface StoredImage {
  url: string;
  mimeType: string;
  bytes: Buffer;
  altText: string | null;
}

export type ContainerStatus = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export interface Container {
  id: string;
  userId: string;
  mediaType: 'TEXT' | 'IMAGE' | 'CAROUSEL';
  text: string | null;
  image: StoredImage | null;
  isCarouselItem: boolean;
  children: string[];
  replyToId: string | null;
  createdAt: Date;
  /** Until then the container is IN_PROGRESS (Threads processes media asynchronously). */
  readyAt: number;
  /** Status reads still answered IN_PROGRESS, whatever the time (see `holdNextContainer`). */
  heldForReads: number;
  /** Set when processing fails: the container ends in ERROR with this `error_message`. */
  errorMessage: string | null;
  publishedAs: string | null;
}

/** A post (or reply) as Threads holds it once its container is published. */
export interface PublishedThread {
  id: string;
  userId: string;
  username: string;
  containerId: string;
  mediaType: 'TEXT_POST' | 'IMAGE' | 'CAROUSEL_ALBUM';
  text: string | null;
  images: StoredImage[];
  replyToId: string | null;
  rootId: string;
  shortcode: string;
  permalink: string;
  publishedAt: Date;
}

export interface AuthorizationCode {
  value: string;
  appId: string;
  redirectUri: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface ThreadsApp {
  id: string;
  secret: string;
}

/** Everything the emulated Threads knows: profiles, tokens, containers, posts and pending authorizations. */
export class ThreadsState {
  readonly users = new Map<string, ThreadsUser>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly revoked = new Set<string>();
  readonly containers = new Map<string, Container>();
  readonly posts: PublishedThread[] = [];
  readonly codes = new Map<string, AuthorizationCode>();
  /** Who approves on the authorize page. */
  signedInUserId: string;
  private containerFailure: string | null = null;
  private nextContainerHold = 0;
  private readonly nextUserId = numericIds(25_025_320_703_700_000n);
  readonly nextMediaId = numericIds(17_889_615_691_900_000n);

  constructor(
    readonly app: ThreadsApp,
    public processingMs: number,
  ) {
    this.signedInUserId = this.createUser('threads_tester').id;
  }

  createUser(username?: string): ThreadsUser {
    const id = this.nextUserId();
    const user = { id, username: username ?? `herald_${id.slice(-6)}` };
    this.users.set(id, user);
    return user;
  }

  userNamed(username: string): ThreadsUser {
    return [...this.users.values()].find((user) => user.username === username) ?? this.createUser(username);
  }

  issueToken(
    userId: string,
    kind: IssuedToken['kind'],
    options: { scopes?: readonly string[]; issuedAt?: Date } = {},
  ): IssuedToken {
    const issuedAt = options.issuedAt ?? new Date();
    const lifetime = kind === 'long-lived' ? LONG_LIVED_TOKEN_SECONDS : SHORT_LIVED_TOKEN_SECONDS;
    const token: IssuedToken = {
      value: newToken(),
      userId,
      appId: this.app.id,
      kind,
      scopes: options.scopes ?? PERMISSIONS,
      issuedAt,
      expiresAt: new Date(issuedAt.getTime() + lifetime * 1000),
    };
    this.tokens.set(token.value, token);
    return token;
  }

  /** The token a request carries (`access_token` parameter or Authorization header), checked. */
  authenticate(request: EmulatorRequest): { user: ThreadsUser; token: IssuedToken } {
    const value =
      stringParam(request, 'access_token') ??
      request.bearer ??
      /^OAuth\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!value) throw missingToken();
    return this.checkToken(value);
  }

  checkToken(value: string): { user: ThreadsUser; token: IssuedToken } {
    const token = this.tokens.get(value);
    if (!token) throw invalidToken('Invalid OAuth access token - Cannot parse access token');
    if (this.revoked.has(value)) {
      throw invalidToken(`Error validating access token: The user has not authorized application ${token.appId}.`, 458);
    }
    if (token.expiresAt.getTime() <= Date.now()) {
      const expired = graphTimestamp(token.expiresAt);
      throw invalidToken(`Error validating access token: Session has expired on ${expired}.`, 463);
    }
    return { user: this.users.get(token.userId)!, token };
  }

  /** The user removes the app: every token it holds for them stops working (later authorizations work again). */
  revokeGrant(value: string): void {
    const token = this.tokens.get(value);
    if (!token) return;
    for (const other of this.tokens.values()) {
      if (other.userId === token.userId && other.appId === token.appId) this.revoked.add(other.value);
    }
  }

  requireScope(token: IssuedToken, scope: (typeof PERMISSIONS)[number]): void {
    if (!token.scopes.includes(scope)) throw missingPermission();
  }

  /** The profile a path names (`me` or the token's own id); Threads shows nobody else's. */
  ownProfile(pathId: string, user: ThreadsUser, method: string): ThreadsUser {
    if (pathId !== 'me' && pathId !== user.id) throw unsupportedRequest(method, pathId);
    return user;
  }

  status(container: Container): ContainerStatus {
    if (container.publishedAs) return 'PUBLISHED';
    if (Date.now() - container.createdAt.getTime() > CONTAINER_LIFETIME_MS) return 'EXPIRED';
    if (container.heldForReads > 0 || Date.now() < container.readyAt) return 'IN_PROGRESS';
    if (container.errorMessage) return 'ERROR';
    const children = container.children.map((id) => this.status(this.containers.get(id)!));
    if (children.includes('ERROR')) return 'ERROR';
    if (children.includes('IN_PROGRESS')) return 'IN_PROGRESS';
    return 'FINISHED';
  }

  /** Makes the next container fail processing (ERROR with this `error_message`). */
  failNextContainer(errorMessage: string): void {
    this.containerFailure = errorMessage;
  }

  /** Keeps the next container IN_PROGRESS for this many status reads, however long they take. */
  holdNextContainer(statusReads: number): void {
    this.nextContainerHold = statusReads;
  }

  takeContainerHold(): number {
    const hold = this.nextContainerHold;
    this.nextContainerHold = 0;
    return hold;
  }

  takeContainerFailure(): string | null {
    const failure = this.containerFailure;
    this.containerFailure = null;
    return failure;
  }

  postById(id: string): PublishedThread | undefined {
    return this.posts.find((post) => post.id === id);
  }

  /** Forgets posts, containers, codes, revocations and planned failures; profiles and tokens stay valid. */
  reset(): void {
    this.posts.length = 0;
    this.containers.clear();
    this.codes.clear();
    this.revoked.clear();
    this.containerFailure = null;
  }
}

/** Graph takes parameters from the query string and from a form body alike. */
export function stringParam(request: EmulatorRequest, name: string): string | undefined {
  const fromBody = request.body?.[name];
  if (typeof fromBody === 'string') return fromBody;
  return request.url.searchParams.get(name) ?? undefined;
}
