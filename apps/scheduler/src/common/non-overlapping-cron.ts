import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';

interface PassOptions {
  name: string;
  logger: Logger;
  pass: () => Promise<unknown>;
}

/**
 * `pass` as a tick: a pass still running when the next tick fires makes that tick a no-op instead of
 * overlapping it; a failed pass is logged and retried on the next tick.
 */
function nonOverlapping(options: PassOptions): () => Promise<void> {
  let running = false;
  return async () => {
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
}

/** Registers `pass` to run on `cronTime` (at boot, because the expression is configuration), never overlapping. */
export function runEveryTick(registry: SchedulerRegistry, options: PassOptions & { cronTime: string }): void {
  registry.addCronJob(
    options.name,
    CronJob.from({ cronTime: options.cronTime, onTick: nonOverlapping(options), start: true }),
  );
}

/** Registers `pass` to run every `seconds`, never overlapping; the registry clears it at shutdown. */
export function runEveryInterval(registry: SchedulerRegistry, options: PassOptions & { seconds: number }): void {
  const tick = nonOverlapping(options);
  registry.addInterval(
    options.name,
    setInterval(() => void tick(), options.seconds * 1000),
  );
}
