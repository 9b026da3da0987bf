import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postStatusOf } from '@app/shared';
import { openRepositories, type Repositories } from '../support/repositories.js';

/** The post status rule is SQL (writes recompute it in the statement that changes a target): its table, in PostgreSQL. */
describe('postStatusOf', () => {
  let repositories: Repositories;

  beforeAll(async () => {
    repositories = await openRepositories();
  });

  afterAll(async () => {
    await repositories?.close();
  });

  it.each([
    [['scheduled', 'scheduled'], 'scheduled'],
    [['scheduled', 'queued'], 'queued'],
    [['queued', 'publishing', 'published'], 'publishing'],
    [['published', 'published'], 'published'],
    [['published', 'failed'], 'partially_published'],
    [['failed', 'failed'], 'failed'],
    [['cancelled', 'cancelled'], 'cancelled'],
    [[], 'cancelled'],
    [['published', 'cancelled'], 'published'],
    [['failed', 'cancelled'], 'failed'],
    [['scheduled', 'published'], 'scheduled'],
    [['unknown', 'published'], 'unknown'],
    [['queued', 'unknown'], 'queued'],
    [['missed', 'missed'], 'missed'],
    [['missed', 'cancelled'], 'missed'],
    [['missed', 'failed'], 'failed'],
    [['missed', 'published'], 'partially_published'],
    [['pending_approval', 'pending_approval'], 'pending_approval'],
    [['pending_approval', 'cancelled'], 'pending_approval'],
    [['pending_approval', 'failed'], 'pending_approval'],
    [['rejected', 'rejected'], 'rejected'],
    [['rejected', 'missed'], 'rejected'],
    [['rejected', 'cancelled'], 'rejected'],
  ])('%j → %s', async (targets, expected) => {
    const [row] = await repositories.sql.query<{ status: string }[]>(`SELECT ${postStatusOf('$1::text[]')} AS status`, [
      targets,
    ]);
    expect(row.status).toBe(expected);
  });
});
