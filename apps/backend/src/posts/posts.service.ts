import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  DomainError,
  IdempotencyKeyRepository,
  MediaService,
  PENDING_TARGET_STATUSES,
  RETRYABLE_TARGET_STATUSES,
  STARTED_TARGET_STATUSES,
  PostQueue,
  PostRepository,
  PostTargetRepository,
  SocialAccountRepository,
  TransactionRunner,
  WorkspaceSettingsRepository,
  type ActionOrigin,
  type EarlierRequest,
  type FieldProblem,
  type MediaPlan,
  type ResolvedMedia,
  type NewTarget,
  type PostView,
  type ScheduledTarget,
  type SocialAccount,
  type Tx,
} from '@app/shared';
import { ChangeRecorder, type Change } from '../common/change-recorder.js';
import type { CreatePostDto } from './dto/create-post.dto.js';
import type { ListPostsQuery } from './dto/list-posts.query.js';
import { toPostResponse, type PostPageResponse, type PostResponse } from './dto/post.response.js';
import type { UpdatePostDto } from './dto/update-post.dto.js';
import { decodePostCursor, encodePostCursor } from './post-cursor.js';
import { authorOf, trustedToPublish, type PostActor } from './post-actor.js';
import { postChange, PostChanges } from './post-changes.js';
import { PostContentValidator, type AccountContent } from './post-content.validator.js';
import { resolvePublishAt } from './publish-at.js';

/** A create request, with what is derived from it once. */
interface CreateRequest {
  workspaceId: string;
  input: CreatePostDto;
  hash: string;
  idempotencyKey?: string;
  by: PostActor;
}

type Saved = { created: PostView } | { replayed: EarlierRequest };

const NO_MEDIA: MediaPlan = { items: [], problems: [], knownFiles: [] };

@Injectable()
export class PostsService {
  constructor(
    private readonly posts: PostRepository,
    private readonly targets: PostTargetRepository,
    private readonly idempotencyKeys: IdempotencyKeyRepository,
    private readonly transactions: TransactionRunner,
    private readonly accounts: SocialAccountRepository,
    private readonly validator: PostContentValidator,
    private readonly media: MediaService,
    private readonly queue: PostQueue,
    private readonly settings: WorkspaceSettingsRepository,
    private readonly changes: PostChanges,
    private readonly recorder: ChangeRecorder,
  ) {}

  /**
   * Saves the post (PostgreSQL is the source of truth), then asks Redis for one delayed job per
   * target. If Redis is down the post is still accepted: the scheduler enqueues it when due. An
   * editor's post in a workspace requiring approval is saved `pending_approval`, with no job.
   */
  async create(
    workspaceId: string,
    input: CreatePostDto,
    idempotencyKey: string | undefined,
    by: PostActor,
  ): Promise<PostResponse> {
    const request: CreateRequest = { workspaceId, input, hash: requestHash(input), idempotencyKey, by };
    const result =
      (input.media ?? []).length === 0 ? await this.createWithoutMedia(request) : await this.createWithMedia(request);
    if ('replayed' in result) return replay(result.replayed, request.hash);
    if (result.created.status === 'scheduled') {
      await this.changes.enqueue(() => this.queue.schedule(workspaceId, scheduledTargets(result.created)));
    }
    return toPostResponse(result.created);
  }

  /** Without images nothing is downloaded in between: the lookup, the checks and the save are one transaction. */
  private createWithoutMedia(request: CreateRequest): Promise<Saved> {
    return this.transactions.forWorkspace(request.workspaceId, async (tx) => {
      const { earlier, accounts } = await this.lookUp(tx, request);
      if (earlier) return { replayed: earlier };
      const publishAt = resolvePublishAt(request.input.publishAt);
      const problems = this.problemsBeforeDownload(request.input, accounts, NO_MEDIA);
      if (problems.length > 0) throw DomainError.validation(problems);
      return this.save(tx, request, { publishAt, accounts, media: [] });
    });
  }

  /**
   * Remote images are downloaded between the lookup and the save, outside any transaction (the post
   * must not depend on someone else's server at publish time), and stored only once their files pass
   * the rules too.
   */
  private async createWithMedia(request: CreateRequest): Promise<Saved> {
    const { workspaceId, input } = request;
    const { earlier, accounts } = await this.transactions.forWorkspace(workspaceId, (tx) => this.lookUp(tx, request));
    if (earlier) return { replayed: earlier };
    const publishAt = resolvePublishAt(input.publishAt);

    // Everything that needs no download is checked first: a post the rules refuse fetches nothing.
    const plan = await this.media.planForPost(workspaceId, input.media ?? []);
    const problems = this.problemsBeforeDownload(input, accounts, plan);
    if (problems.length > 0) throw DomainError.validation(problems);

    const prepared = await this.media.prepareForPost(plan);
    const fileProblems = this.validator.mediaProblems(
      accounts.map((account) => account.platform),
      prepared.items,
    );
    if (fileProblems.length > 0) throw DomainError.validation(fileProblems);
    const media = await this.media.storePrepared(workspaceId, prepared);

    const result = await this.transactions
      .forWorkspace(workspaceId, (tx) => this.save(tx, request, { publishAt, accounts, media: media.items }))
      .catch(async (error: unknown) => {
        await this.media.discard(workspaceId, media);
        throw error;
      });
    // A concurrent request with this key saved the post, with images of its own: these belong to none.
    if ('replayed' in result) await this.media.discard(workspaceId, media);
    return result;
  }

  /** The earlier request with the same Idempotency-Key if it has finished, and the request's accounts. */
  private async lookUp(
    tx: Tx,
    { workspaceId, input, idempotencyKey }: CreateRequest,
  ): Promise<{ earlier: EarlierRequest | null; accounts: SocialAccount[] }> {
    return {
      earlier: idempotencyKey ? await this.idempotencyKeys.findFinished(tx, workspaceId, idempotencyKey) : null,
      accounts: await this.accounts.findMany(tx, workspaceId, input.accountIds),
    };
  }

  /** Every problem found without downloading an image: accounts, per-account texts, uploads, the rules. */
  private problemsBeforeDownload(input: CreatePostDto, accounts: SocialAccount[], plan: MediaPlan): FieldProblem[] {
    return [
      ...accountProblems(input, accounts),
      ...overrideProblems(input),
      ...plan.problems,
      ...this.validator.outlineProblems(accountContents(input, accounts), {
        media: (input.media ?? []).map((item) => ({ altText: item.altText ?? null })),
        thread: input.thread ?? [],
      }),
      ...this.validator.mediaProblems(
        accounts.map((account) => account.platform),
        plan.knownFiles,
      ),
    ];
  }

  /**
   * Saves a post and one target per account in `tx`: either the whole post exists or none of it, with
   * its events and audit lines. An editor's post in a workspace requiring approval is saved
   * `pending_approval` (the insert reads the setting).
   * With an Idempotency-Key, the key is claimed in the same transaction (see IdempotencyKeyRepository).
   */
  private async save(
    tx: Tx,
    { workspaceId, input, idempotencyKey, hash, by }: CreateRequest,
    { publishAt, accounts, media }: { publishAt: Date; accounts: SocialAccount[]; media: ResolvedMedia[] },
  ): Promise<Saved> {
    if (idempotencyKey) {
      const replayed = await this.idempotencyKeys.claim(tx, workspaceId, { key: idempotencyKey, requestHash: hash });
      if (replayed) return { replayed };
    }
    const saved = await this.posts.insert(tx, {
      workspaceId,
      content: input.content,
      media: media.map(({ mediaId, altText }) => ({ mediaId, altText })),
      thread: input.thread ?? [],
      publishAt,
      maxLatenessSeconds: input.maxLatenessSeconds,
      author: authorOf(by.origin.actor),
      approvalUnlessTrusted: !trustedToPublish(by.role),
    });
    const overrides = new Map((input.targets ?? []).map((target) => [target.accountId, target.content]));
    const targets: NewTarget[] = accounts.map((account) => ({
      accountId: account.id,
      platform: account.platform,
      content: overrides.get(account.id) ?? null,
    }));
    const status = saved.status === 'pending_approval' ? 'pending_approval' : 'scheduled';
    // Built from the rows just inserted rather than read back: a new post has no history yet.
    const created = { ...saved, targets: await this.targets.insertForPost(tx, saved.id, publishAt, targets, status) };
    const changes: Change[] = [postChange('post.created', created.id, { status })];
    if (status === 'pending_approval') changes.push(postChange('post.submitted_for_approval', created.id));
    await this.recorder.record(tx, workspaceId, by.origin, changes);
    if (idempotencyKey) {
      await this.idempotencyKeys.saveResponse(tx, workspaceId, idempotencyKey, toPostResponse(created));
    }
    return { created };
  }

  async get(workspaceId: string, id: string): Promise<PostResponse> {
    const post = await this.transactions.forWorkspace(workspaceId, (tx) => this.posts.findOne(tx, workspaceId, id));
    if (!post) throw DomainError.notFound('Post');
    return toPostResponse(post, true);
  }

  async list(workspaceId: string, query: ListPostsQuery): Promise<PostPageResponse> {
    const page = await this.transactions.forWorkspace(workspaceId, (tx) =>
      this.posts.findPage(tx, {
        workspaceId,
        status: query.status,
        limit: query.limit + 1,
        after: query.cursor ? decodePostCursor(query.cursor) : undefined,
      }),
    );
    const items = page.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map((post) => toPostResponse(post)),
      nextCursor: page.length > query.limit && last ? encodePostCursor(last) : null,
    };
  }

  /**
   * Edits or reschedules a post while none of its targets has started publishing. An edit by an editor
   * where the workspace requires approval sends the post (back) for approval, its jobs removed.
   */
  async update(workspaceId: string, id: string, input: UpdatePostDto, by: PostActor): Promise<PostResponse> {
    if (Object.values(input).every((value) => value === undefined)) {
      throw DomainError.validation([{ field: 'body', message: 'give content, publishAt or maxLatenessSeconds' }]);
    }
    const publishAt = input.publishAt === undefined ? undefined : resolvePublishAt(input.publishAt);
    let rescheduled: ScheduledTarget[] = [];
    let unqueued: string[] = [];
    await this.changes.locked(workspaceId, id, async (post, tx) => {
      assertNotStarted(post, 'edited');
      if (input.content !== undefined) {
        const content = input.content;
        const accounts = post.targets
          .filter((target) => target.content === null)
          .map((target) => ({ platform: target.platform, text: content, textField: 'content' }));
        const media = await this.media.describe(tx, workspaceId, post.media);
        const problems = this.validator.problems(accounts, { media, thread: post.thread });
        if (problems.length > 0) throw DomainError.validation(problems);
      }
      await this.posts.update(tx, post.id, {
        content: input.content,
        publishAt,
        maxLatenessSeconds: input.maxLatenessSeconds,
      });
      const changes: Change[] = [postChange('post.updated', post.id, { fields: givenFields(input) })];
      const pending = post.targets.filter((target) => PENDING_TARGET_STATUSES.includes(target.status));
      const resubmitted = post.targets.filter((target) => target.status === 'rejected');
      if (pending.length + resubmitted.length > 0 && (await this.editNeedsApproval(tx, workspaceId, by))) {
        await this.targets.submitForApproval(
          tx,
          post.id,
          [...pending, ...resubmitted].map((target) => target.id),
        );
        if (post.rejection) await this.posts.setRejection(tx, post.id, null);
        unqueued = pending.map((target) => target.id);
        changes.push(postChange('post.submitted_for_approval', post.id));
      } else if (publishAt) {
        await this.targets.reschedule(
          tx,
          post.id,
          pending.map((target) => target.id),
          publishAt,
        );
        rescheduled = pending.map((target) => ({ id: target.id, runAt: publishAt }));
      }
      await this.recorder.record(tx, workspaceId, by.origin, changes);
    });
    await this.changes.enqueue(async () => {
      await this.queue.remove(unqueued);
      await this.queue.reschedule(workspaceId, rescheduled);
    });
    return this.get(workspaceId, id);
  }

  /** The setting is read only for the editors it may apply to: admins' edits never need approval. */
  private async editNeedsApproval(tx: Tx, workspaceId: string, by: PostActor): Promise<boolean> {
    if (trustedToPublish(by.role)) return false;
    return (await this.settings.find(tx, workspaceId))?.requiresApproval ?? false;
  }

  /** Cancels every target not yet published; refused once any target is publishing or published. */
  async cancel(workspaceId: string, id: string, origin: ActionOrigin): Promise<PostResponse> {
    let cancelled: string[] = [];
    await this.changes.locked(workspaceId, id, async (post, tx) => {
      assertNotStarted(post, 'cancelled');
      cancelled = post.targets.filter((target) => target.status !== 'cancelled').map((target) => target.id);
      await this.targets.cancel(tx, post.id, cancelled);
      await this.recorder.record(tx, workspaceId, origin, [postChange('post.cancelled', post.id)]);
    });
    await this.changes.enqueue(() => this.queue.remove(cancelled));
    return this.get(workspaceId, id);
  }

  /** Starts the failed, unknown and missed targets over, now; refused when there are none. */
  async retry(workspaceId: string, id: string, origin: ActionOrigin): Promise<PostResponse> {
    let restarted: ScheduledTarget[] = [];
    await this.changes.locked(workspaceId, id, async (post, tx) => {
      const settled = post.targets.filter((target) => RETRYABLE_TARGET_STATUSES.includes(target.status));
      if (settled.length === 0) {
        throw new DomainError('CONFLICT', `Nothing to retry: no target is ${RETRYABLE_TARGET_STATUSES.join(', ')}`);
      }
      await this.targets.restart(
        tx,
        post.id,
        settled.map((target) => target.id),
      );
      restarted = settled.map((target) => ({ id: target.id, runAt: new Date() }));
      await this.recorder.record(tx, workspaceId, origin, [
        postChange('post.retried', post.id, { targetIds: settled.map((target) => target.id) }),
      ]);
    });
    await this.changes.enqueue(() => this.queue.reschedule(workspaceId, restarted));
    return this.get(workspaceId, id);
  }
}

const givenFields = (input: UpdatePostDto): string[] =>
  Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);

function assertNotStarted(post: PostView, action: 'edited' | 'cancelled'): void {
  if (post.status === 'cancelled' && action === 'edited') {
    throw new DomainError('CONFLICT', 'The post is cancelled and can no longer be edited');
  }
  const started = post.targets.find((target) => STARTED_TARGET_STATUSES.includes(target.status));
  if (started) {
    throw new DomainError(
      'CONFLICT',
      `The post can no longer be ${action}: its ${started.platform} target is ${started.status}`,
    );
  }
}

function scheduledTargets(post: PostView): ScheduledTarget[] {
  return post.targets.map((target) => ({ id: target.id, runAt: target.dueAt }));
}

/** The answer an earlier request with the same Idempotency-Key got; 422 if this request differs. */
function replay(earlier: EarlierRequest, hash: string): PostResponse {
  if (earlier.requestHash !== hash) {
    throw new DomainError(
      'IDEMPOTENCY_MISMATCH',
      'This Idempotency-Key was already used with a different request body; use a new key',
    );
  }
  return earlier.response as PostResponse;
}

/** What makes two create requests "the same" for an Idempotency-Key: the fields that shape the post. */
function requestHash(input: CreatePostDto): string {
  const canonical = [
    input.content,
    input.publishAt ?? null,
    input.maxLatenessSeconds ?? null,
    input.accountIds,
    (input.media ?? []).map((item) => [item.url ?? null, item.uploadId ?? null, item.altText ?? null]),
    input.thread ?? [],
    (input.targets ?? []).map((target) => [target.accountId, target.content]),
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function accountProblems(input: CreatePostDto, accounts: SocialAccount[]): FieldProblem[] {
  return input.accountIds
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !accounts.some((account) => account.id === id))
    .map(({ id, index }) => ({ field: `accountIds.${index}`, message: `account ${id} not found` }));
}

function overrideProblems(input: CreatePostDto): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  (input.targets ?? []).forEach((target, index) => {
    const field = `targets.${index}.accountId`;
    if (!input.accountIds.includes(target.accountId)) {
      problems.push({ field, message: `account ${target.accountId} is not one of accountIds` });
    } else if (seen.has(target.accountId)) {
      problems.push({ field, message: `account ${target.accountId} has its own content twice` });
    }
    seen.add(target.accountId);
  });
  return problems;
}

/** What each account would publish: its own text if the request gave one, else the post's content. */
function accountContents(input: CreatePostDto, accounts: SocialAccount[]): AccountContent[] {
  const targets = input.targets ?? [];
  return accounts.map((account) => {
    const index = targets.findIndex((target) => target.accountId === account.id);
    return index < 0
      ? { platform: account.platform, text: input.content, textField: 'content' }
      : { platform: account.platform, text: targets[index].content, textField: `targets.${index}.content` };
  });
}
