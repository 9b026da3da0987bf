import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CredentialsCipher,
  CredentialsReencryption,
  DecryptionError,
  KeyRing,
  keyIdOf,
  OPERATOR,
  SocialAccountRepository,
  type StoredCredentials,
} from '@app/shared';
import { Clock } from '../../apps/backend/src/connect/clock.js';
import { OAuthStateCodec } from '../../apps/backend/src/connect/oauth-state.js';
import { OAuthStateUseRepository } from '../../apps/backend/src/connect/oauth-state-use.repository.js';
import { eventually } from '../support/factories.js';
import { openRepositories, type Repositories } from '../support/repositories.js';
import { testConfig, testEnvironment } from '../support/test-environment.js';

const KEY_A = Buffer.alloc(32, 0xa).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb).toString('base64');
const KEY_C = Buffer.alloc(32, 0xc).toString('base64');
/** `{"accessToken":"legacy-token"}` as Herald sealed it before the key ring: key A itself, no associated data. */
const V1_UNDER_A = 'v1.ZjfcqSMxLWXBKPaK.1OcUiDQ-Yk9q_uJ8-mK9uA.5WNFGtKnAkssQsvfGwPlNUlVWVGU7TKU1gW1H3D9';

/**
 * Credentials sealed for their account, and rotating ENCRYPTION_KEY from A to B with every process
 * running: ring [B, A] reads everything A sealed, `keys:reencrypt` moves every stored credential to B,
 * and ring [B] alone then reads them all.
 */
describe('key rotation', () => {
  let repositories: Repositories;
  let workspaceId: string;

  /** The ring ENCRYPTION_KEY = current, DECRYPTION_KEYS = the rest. */
  const ringOf = (current: string, ...decryptOnly: string[]) =>
    new KeyRing(
      testConfig(
        testEnvironment(
          { databaseUrl: repositories.database.url, queuePrefix: 'key-rotation' },
          { ENCRYPTION_KEY: current, DECRYPTION_KEYS: decryptOnly.join(',') },
        ),
      ),
    );
  const cipherOf = (current: string, ...decryptOnly: string[]) =>
    new CredentialsCipher(ringOf(current, ...decryptOnly));

  const stored = async (accountId: string): Promise<string> =>
    (
      await repositories.sql.query<{ encrypted_credentials: string }[]>(
        `SELECT encrypted_credentials FROM social_accounts WHERE id = $1`,
        [accountId],
      )
    )[0].encrypted_credentials;

  const newAccount = async (cipher: CredentialsCipher, accessToken: string): Promise<string> =>
    (
      await repositories.transactions.run((tx) =>
        repositories.accounts.create(tx, { workspaceId, platform: 'x', name: accessToken, externalId: null }, (id) => ({
          encryptedCredentials: cipher.encrypt(id, { accessToken }),
          renewAt: null,
        })),
      )
    ).id;

  beforeAll(async () => {
    repositories = await openRepositories();
    workspaceId = (await repositories.workspaces.createWithApiKey('Rotation', 'rotation-key-hash')).id;
  });

  afterAll(async () => {
    await repositories?.close();
  });

  it('seals credentials for the account they belong to, also when connecting an account again', async () => {
    const cipher = cipherOf(KEY_A);
    const connect = (accessToken: string) =>
      repositories.transactions
        .run((tx) =>
          repositories.accounts.connect(
            tx,
            { workspaceId, platform: 'x', name: '@again', externalId: 'x-user-1' },
            (id) => ({ encryptedCredentials: cipher.encrypt(id, { accessToken }), renewAt: null }),
          ),
        )
        .then((connected) => connected.account);
    const first = await connect('first');
    await repositories.sql.query(`UPDATE social_accounts SET status = 'needs_reauth' WHERE id = $1`, [first.id]);
    const again = await connect('second');
    expect(again).toMatchObject({ id: first.id, status: 'active' });
    expect(cipher.decrypt(first.id, await stored(first.id))).toEqual({ accessToken: 'second' });

    // Copied onto another account's row, they do not open.
    const other = await newAccount(cipher, 'other');
    await repositories.sql.query(`UPDATE social_accounts SET encrypted_credentials = $2 WHERE id = $1`, [
      other,
      await stored(first.id),
    ]);
    const copied = await stored(other);
    expect(() => cipher.decrypt(other, copied)).toThrow(DecryptionError);
    // Out of the way of the counts below.
    await repositories.sql.query(`UPDATE social_accounts SET encrypted_credentials = NULL WHERE id = ANY($1::uuid[])`, [
      [first.id, other],
    ]);
  });

  it('keeps every secret readable through the rotation, and re-encrypts each once', async () => {
    const tokens = ['token-1', 'token-2', 'token-3'];
    const accountIds: string[] = [];
    for (const token of tokens) accountIds.push(await newAccount(cipherOf(KEY_A), token));
    const legacyId = await newAccount(cipherOf(KEY_A), 'legacy');
    await repositories.sql.query(`UPDATE social_accounts SET encrypted_credentials = $2 WHERE id = $1`, [
      legacyId,
      V1_UNDER_A,
    ]);
    const expected = [...tokens.map((accessToken) => ({ accessToken })), { accessToken: 'legacy-token' }];
    const all = [...accountIds, legacyId];
    const openAll = async (cipher: CredentialsCipher) =>
      Promise.all(all.map(async (id) => cipher.decrypt(id, await stored(id))));

    const rotating = cipherOf(KEY_B, KEY_A);
    expect(await openAll(rotating)).toEqual(expected);
    const codec = new OAuthStateCodec(ringOf(KEY_A), new OAuthStateUseRepository(repositories.sql), new Clock());
    const { state } = codec.issue(workspaceId, OPERATOR, 'x');
    const rotatedCodec = new OAuthStateCodec(
      ringOf(KEY_B, KEY_A),
      new OAuthStateUseRepository(repositories.sql),
      new Clock(),
    );
    expect(await rotatedCodec.use(state, 'x')).toMatchObject({ workspaceId, platform: 'x' });

    // A page smaller than the table, so the run crosses page boundaries.
    const reencryption = new CredentialsReencryption(repositories.accounts, rotating);
    expect(await reencryption.run(3)).toEqual({ reencrypted: 4, current: 0, changedMeanwhile: 0, unreadable: [] });
    for (const id of all)
      expect(await stored(id)).toMatch(new RegExp(`^v2\\.${keyIdOf(Buffer.from(KEY_B, 'base64'))}\\.`));
    expect(await reencryption.run(3)).toEqual({ reencrypted: 0, current: 4, changedMeanwhile: 0, unreadable: [] });

    expect(await openAll(cipherOf(KEY_B))).toEqual(expected);
    // Nothing is left that only A opens.
    await expect(openAll(cipherOf(KEY_A))).rejects.toThrow(DecryptionError);
  });

  it('leaves credentials no configured key opens as they are, and names their account', async () => {
    const lost = await newAccount(cipherOf(KEY_C), 'lost');
    const before = await stored(lost);
    const counts = await new CredentialsReencryption(repositories.accounts, cipherOf(KEY_B, KEY_A)).run(100);
    expect(counts.unreadable).toEqual([lost]);
    expect(await stored(lost)).toBe(before);
    await repositories.sql.query(`UPDATE social_accounts SET encrypted_credentials = NULL WHERE id = $1`, [lost]);
  });

  it('never overwrites credentials renewed between the read and the write', async () => {
    const accountId = await newAccount(cipherOf(KEY_A), 'before-renewal');
    const rotating = cipherOf(KEY_B, KEY_A);
    const renewed = rotating.encrypt(accountId, { accessToken: 'renewed' });

    /** The repository as it is, but a renewal commits right after the re-encryption has read its page. */
    class RenewedAfterRead extends SocialAccountRepository {
      override async credentialsPage(afterId: string | null, limit: number): Promise<StoredCredentials[]> {
        const page = await super.credentialsPage(afterId, limit);
        if (page.some((row) => row.accountId === accountId)) {
          await this.withLockedCredentials(accountId, (_account, changes) => changes.renewed(renewed, null));
        }
        return page;
      }
    }
    const accounts = new RenewedAfterRead(repositories.sql, repositories.transactions);

    const counts = await new CredentialsReencryption(accounts, rotating).run(100);
    expect(counts.changedMeanwhile).toBe(1);
    expect(await stored(accountId)).toBe(renewed);
    expect(rotating.decrypt(accountId, await stored(accountId))).toEqual({ accessToken: 'renewed' });
  });

  it('waits for a renewal holding the row, then keeps what it wrote', async () => {
    const accountId = await newAccount(cipherOf(KEY_A), 'locked');
    const rotating = cipherOf(KEY_B, KEY_A);
    const renewed = rotating.encrypt(accountId, { accessToken: 'renewed-under-lock' });
    const reencryption = new CredentialsReencryption(repositories.accounts, rotating);

    const { run } = (await repositories.accounts.withLockedCredentials(accountId, async (_account, changes) => {
      // Started while the renewal holds the row: its compare-and-swap must wait for the lock.
      const started = reencryption.run(100);
      await eventually(
        async () => {
          const [{ waiting }] = await repositories.sql.query<{ waiting: number }[]>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE social_accounts AS a%'`,
          );
          return waiting === 1 ? true : undefined;
        },
        { what: 'the re-encryption to wait for the row lock' },
      );
      await changes.renewed(renewed, null);
      return { run: started };
    }))!;

    expect((await run).changedMeanwhile).toBe(1);
    expect(await stored(accountId)).toBe(renewed);
  });
});
