import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';

/**
 * Registers `pass` to run on `cronTime` (at boot, because the expression is configuration). A pass
 * still running when the next tick fires makes that tick a no-op instead of overlapping it; a failed
 * pass is logged and retried on the next tick.
 */
export function runEveryTick(
  registry: SchedulerRegistry,
  options: { name: string; cronTime: string; logger: Logger; pass: () => Promise<unknown> },
): void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await options.pass();
    } catch (error) {
      options.logger.warn(`${options.name} failed, will retry next tick: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  registry.addCronJob(options.name, CronJob.from({ cronTime: options.cronTime, onTick: tick, start: true }));
}
