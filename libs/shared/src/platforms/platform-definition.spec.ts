import { describe, expect, it } from '@jest/globals';
import { baseUrl, definePlatform, oauthClient, readSettings, text, variablesOf } from './platform-definition.js';

class SomeProvider {}

describe('platform settings', () => {
  it.each([
    ['the default when unset', {}, 'https://api.example.com', []],
    ['a set value, without trailing slashes', { API_URL: 'http://127.0.0.1:4567//' }, 'http://127.0.0.1:4567', []],
    ['a host without a TLD', { API_URL: 'http://emulator:8080' }, 'http://emulator:8080', []],
    [
      'ftp: refused, naming the variable',
      { API_URL: 'ftp://x' },
      'ftp://x',
      ['API_URL: API_URL must be a URL address'],
    ],
    [
      'no protocol: refused',
      { API_URL: 'api.example.com' },
      'api.example.com',
      ['API_URL: API_URL must be a URL address'],
    ],
  ])('baseUrl reads %s', (_case, variables: Record<string, string>, value, problems) => {
    const found: string[] = [];
    expect(baseUrl('API_URL', 'https://api.example.com').read(variables, found)).toBe(value);
    expect(found).toEqual(problems);
  });

  it('reads an OAuth app from its three variables, trimmed, and names each bad one', () => {
    const app = oauthClient(text('APP_ID'), text('APP_SECRET'), baseUrl('AUTH_URL', 'https://auth.example.com'));
    expect(app.variables).toEqual({ APP_ID: '', APP_SECRET: '', AUTH_URL: 'https://auth.example.com' });
    const problems: string[] = [];
    expect(app.read({ APP_ID: ' id ', APP_SECRET: 'secret\n' }, problems)).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      authBaseUrl: 'https://auth.example.com',
    });
    expect(problems).toEqual([]);
    app.read({ AUTH_URL: 'nope' }, problems);
    expect(problems).toEqual(['AUTH_URL: AUTH_URL must be a URL address']);
  });

  it("reads a definition's settings by key, and lists the variables of several once each", () => {
    const shared = text('SHARED_ID');
    const one = definePlatform({
      name: 'one',
      provider: SomeProvider,
      settings: { url: baseUrl('ONE_URL', 'http://one'), app: shared },
    });
    const two = definePlatform({ name: 'two', provider: SomeProvider, settings: { app: shared } });
    expect(readSettings(one.settings, { SHARED_ID: 'x' }, [])).toEqual({ url: 'http://one', app: 'x' });
    expect(variablesOf([one, two])).toEqual({ ONE_URL: 'http://one', SHARED_ID: '' });
  });
});
