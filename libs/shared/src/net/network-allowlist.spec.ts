import { describe, expect, it } from '@jest/globals';
import { parseNetworkAllowlist } from './network-allowlist.js';

describe('parseNetworkAllowlist', () => {
  it.each([
    ['', [], []],
    [' , ', [], []],
    ['127.0.0.1', ['127.0.0.1'], []],
    ['10.0.0.0/8, 192.168.1.7', ['10.0.0.0/8', '192.168.1.7'], []],
    ['::1,fd00::/8', ['::1', 'fd00::/8'], []],
    ['1.2.3.4.5', ['1.2.3.4.5'], ['1.2.3.4.5']],
    ['10.0.0.0/33', ['10.0.0.0/33'], ['10.0.0.0/33']],
    ['0x7f.1', ['0x7f.1'], ['0x7f.1']],
    ['256.1.1.1', ['256.1.1.1'], ['256.1.1.1']],
    ['127.0.0.1,localhost', ['127.0.0.1', 'localhost'], ['localhost']],
    ['fd00::/129', ['fd00::/129'], ['fd00::/129']],
  ])('%j → entries %j, invalid %j', (value, entries, invalid) => {
    expect(parseNetworkAllowlist(value)).toEqual({ entries, invalid });
  });
});
