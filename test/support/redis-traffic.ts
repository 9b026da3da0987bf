import type { Queue } from 'bullmq';

export interface RedisTraffic {
  commands: number;
  /** A command sent alone, or a whole pipeline or MULTI. */
  roundTrips: number;
  /** Commands by name (lower case), e.g. `lrange`. */
  byName: Map<string, number>;
}

/**
 * Counts what is sent to Redis on a BullMQ queue's client (the ioredis client under it) from now until
 * `stop()`, which puts the client back as it was.
 */
export async function watchRedisTraffic(queue: Queue): Promise<{ stop: () => RedisTraffic }> {
  const client = (await queue.getBackend().client) as unknown as {
    sendCommand: (command: { name: string }, stream?: unknown, ...rest: unknown[]) => unknown;
  };
  const send = client.sendCommand;
  const pipelines = new Set<unknown>();
  const byName = new Map<string, number>();
  let commands = 0;
  let alone = 0;
  client.sendCommand = (command, stream, ...rest) => {
    commands++;
    byName.set(command.name, (byName.get(command.name) ?? 0) + 1);
    if (stream === undefined) alone++;
    else pipelines.add(stream);
    return send.call(client, command, stream, ...rest);
  };
  return {
    stop: () => {
      client.sendCommand = send;
      return { commands, roundTrips: alone + pipelines.size, byName };
    },
  };
}
