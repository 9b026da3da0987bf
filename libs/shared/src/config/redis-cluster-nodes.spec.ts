import { describe, expect, it } from '@jest/globals';
import { parseRedisClusterNodes } from './redis-cluster-nodes.js';

describe('parseRedisClusterNodes', () => {
  it.each([
    ['', [], []],
    ['127.0.0.1:7000', [{ host: '127.0.0.1', port: 7000 }], []],
    [
      ' redis-0.redis:6379 , redis-1.redis:6379,',
      [
        { host: 'redis-0.redis', port: 6379 },
        { host: 'redis-1.redis', port: 6379 },
      ],
      [],
    ],
    ['[::1]:7001', [{ host: '::1', port: 7001 }], []],
    ['cache', [], ['cache']],
    ['cache:0,cache:65536', [], ['cache:0', 'cache:65536']],
    ['redis://cache:6379', [], ['redis://cache:6379']],
    ['cache:7000,::1:7001', [{ host: 'cache', port: 7000 }], ['::1:7001']],
  ])('reads %j', (value, nodes, invalid) => {
    expect(parseRedisClusterNodes(value)).toEqual({ nodes, invalid });
  });
});
