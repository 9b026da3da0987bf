export interface RedisNode {
  host: string;
  port: number;
}

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address (`[::1]:7000`). */
const NODE = /^(?<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?<port>\d{1,5})$/;

/**
 * The start-up nodes of a Redis Cluster (REDIS_CLUSTER_NODES): `host:port` entries separated by commas,
 * blank ones skipped. The client learns the rest of the cluster from whichever of them answers.
 */
export function parseRedisClusterNodes(value: string): { nodes: RedisNode[]; invalid: string[] } {
  const nodes: RedisNode[] = [];
  const invalid: string[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    if (entry === '') continue;
    const match = NODE.exec(entry);
    const port = Number(match?.groups?.port);
    if (!match?.groups || port < 1 || port > 65535) invalid.push(entry);
    else nodes.push({ host: match.groups.host.replace(/^\[(.*)\]$/, '$1'), port });
  }
  return { nodes, invalid };
}
