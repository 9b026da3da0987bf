import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LivenessIndicator, runLivenessChecks } from '@app/shared';
import { newAccount, newPost, newWorkspace } from '../support/factories.js';
import { startBackend, type RunningBackend } from '../support/herald-apps.js';
import { ApiClient } from '../support/api-client.js';
import {
  pastMoment,
  requeuePassFromNow,
  startPipeline,
  targetsOf,
  waitUntilSettled,
  type Pipeline,
} from '../support/pipeline.js';
import { LocalRedisCluster } from '../support/redis-cluster.js';
import { testConfig } from '../support/test-environment.js';

/**
 * Herald against a 3-node Redis Cluster this file starts on loopback ports: the backend, the worker and
 * the scheduler (each its own Nest application in this process) talk to the cluster only. The file's
 * plain Redis (the pipeline's usual one) must stay empty of this file's keys.
 */
describe('on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let pipeline: Pipeline;
  const tweetsWith = (text: string) => pipeline.emulator.tweets.filter((tweet) => tweet.text === text);
  const onPlainRedis = () => pipeline.redis.client.keys(`${pipeline.redis.prefix}*`);

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start();
    pipeline = await startPipeline({ environment: { REDIS_CLUSTER_NODES: cluster.nodes } });
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    await cluster?.stop();
  });

  it("publishes a post through the cluster, the queue's keys all on one node (its hash tag's slot)", async () => {
    const account = await newAccount(pipeline.workspace);
    const post = await newPost(pipeline.workspace, { content: 'Through the cluster', accountIds: [account.id] });

    expect(await waitUntilSettled(pipeline, post.id)).toMatchObject([{ status: 'published', attempts: 1 }]);
    expect(tweetsWith('Through the cluster')).toHaveLength(1);

    const queueKeys = await cluster.keysPerNode(`{${pipeline.redis.prefix}}:post-queue:*`);
    expect(queueKeys.filter((keys) => keys.length > 0)).toHaveLength(1);
    expect(await onPlainRedis()).toEqual([]);
  });

  it("reports the cluster in the backend's readiness and the worker's liveness", async () => {
    const ready = await pipeline.api.get('/health/ready');
    expect(ready.status).toBe(200);
    const worker = await pipeline.startWorker();
    const live = await runLivenessChecks(worker.get(LivenessIndicator, { strict: false }).checks(), 5_000);
    expect(live).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' }, worker: { status: 'up' } } });
  });

  it('requeues from PostgreSQL after the cluster loses every job: each due post published once', async () => {
    await pipeline.stopScheduler();
    await pipeline.stopWorker();
    const account = await newAccount(pipeline.workspace);
    const contents = ['Lost in the cluster #1', 'Lost in the cluster #2', 'Lost in the cluster #3'];
    const posts = [];
    for (const content of contents)
      posts.push(await newPost(pipeline.workspace, { content, accountIds: [account.id] }));
    const jobKeys = async () => (await cluster.keysPerNode(`{${pipeline.redis.prefix}}:post-queue:*`)).flat();
    const targetIds = (await Promise.all(posts.map((post) => targetsOf(pipeline, post.id)))).flat().map((t) => t.id);
    expect(await jobKeys()).toEqual(expect.arrayContaining(targetIds.map((id) => expect.stringContaining(id))));

    await cluster.flushAll();
    expect(await jobKeys()).toEqual([]);
    await requeuePassFromNow(pipeline); // starts the scheduler again
    expect(await jobKeys()).toEqual(expect.arrayContaining(targetIds.map((id) => expect.stringContaining(id))));
    await pipeline.startWorker();

    for (const post of posts) {
      expect(await waitUntilSettled(pipeline, post.id)).toMatchObject([{ status: 'published', attempts: 1 }]);
    }
    await pastMoment(pipeline, new Date());
    for (const content of contents) expect(tweetsWith(content)).toHaveLength(1);
  });

  describe("the API's rate limiter", () => {
    let limited: RunningBackend;

    beforeAll(async () => {
      limited = await startBackend(testConfig({ ...pipeline.environment, RATE_LIMIT_KEY_REQUESTS: '3' }));
    });

    afterAll(() => limited?.close());

    it('counts on the cluster and answers 429 once a key has spent its budget', async () => {
      const acme = await newWorkspace(new ApiClient(limited.url));

      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await acme.api.get('/v1/accounts'));

      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers.map((answer) => answer.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
      const counters = (await cluster.keysPerNode(`${pipeline.redis.prefix}:rate-limit:apiKey:*`)).flat();
      expect(counters.length).toBeGreaterThan(0);
      expect(await onPlainRedis()).toEqual([]);
    });
  });
});
