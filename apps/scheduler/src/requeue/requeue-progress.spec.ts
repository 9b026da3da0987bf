import { describe, expect, it } from '@jest/globals';
import { AppConfig, loadEnvironment } from '@app/shared';
import { CronTime } from 'cron';
import { MISSED_TICKS, nthTickAfter, RequeueProgress } from './requeue-progress.js';

const progressOn = (cron: string) =>
  new RequeueProgress(
    new AppConfig(
      loadEnvironment({
        ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
        ADMIN_TOKEN: 'a-long-admin-token',
        SCHEDULER_CRON: cron,
      }),
    ),
  );
const at = (iso: string) => new Date(iso);

describe('nthTickAfter', () => {
  it('counts ticks strictly after the start', () => {
    const everyMinute = new CronTime('* * * * *', 'UTC');
    expect(nthTickAfter(everyMinute, at('2026-01-02T12:00:00.000Z'), 1)).toEqual(at('2026-01-02T12:01:00.000Z'));
    expect(nthTickAfter(everyMinute, at('2026-01-02T12:00:30.000Z'), 4)).toEqual(at('2026-01-02T12:04:00.000Z'));
  });

  it('follows an irregular schedule instead of assuming a fixed interval', () => {
    // Friday 09:30 UTC; the next weekday 09:00 ticks are Monday to Thursday.
    const weekdays = new CronTime('0 9 * * 1-5', 'UTC');
    expect(nthTickAfter(weekdays, at('2026-01-02T09:30:00.000Z'), 4)).toEqual(at('2026-01-08T09:00:00.000Z'));
  });
});

describe('RequeueProgress', () => {
  // Every 10 seconds: ticks at :00, :10, :20, ...
  const cron = '*/10 * * * * *';

  it(`allows ${MISSED_TICKS} ticks after start-up before the first pass`, () => {
    const progress = progressOn(cron);
    progress.started(at('2026-01-02T12:00:05.000Z'));
    // Ticks at :10, :20 and :30 each had until the next tick to progress: stuck after :40.
    expect(progress.health(at('2026-01-02T12:00:40.000Z'))).toMatchObject({ stuck: false, lastProgressAt: null });
    expect(progress.health(at('2026-01-02T12:00:40.001Z'))).toMatchObject({
      stuck: true,
      deadline: at('2026-01-02T12:00:40.000Z'),
    });
  });

  it('counts from the last progress, and a failure does not count as progress', () => {
    const progress = progressOn(cron);
    progress.started(at('2026-01-02T12:00:00.000Z'));
    progress.progressed(at('2026-01-02T12:00:31.000Z'));
    progress.failed(new Error('Redis did not answer within 1000 ms'));
    expect(progress.health(at('2026-01-02T12:01:10.000Z')).stuck).toBe(false);
    expect(progress.health(at('2026-01-02T12:01:11.000Z'))).toEqual({
      stuck: true,
      lastProgressAt: at('2026-01-02T12:00:31.000Z'),
      deadline: at('2026-01-02T12:01:10.000Z'),
      lastFailure: 'Redis did not answer within 1000 ms',
    });
  });

  it('forgets the last failure once it progresses again', () => {
    const progress = progressOn(cron);
    progress.started(at('2026-01-02T12:00:00.000Z'));
    progress.failed(new Error('connection refused'));
    progress.progressed(at('2026-01-02T12:00:10.000Z'));
    expect(progress.health(at('2026-01-02T12:00:11.000Z'))).toEqual({
      stuck: false,
      lastProgressAt: at('2026-01-02T12:00:10.000Z'),
      deadline: at('2026-01-02T12:00:50.000Z'),
    });
  });
});
