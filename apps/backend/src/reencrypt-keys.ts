import 'reflect-metadata';
import {
  AppConfig,
  CredentialsCipher,
  CredentialsReencryption,
  dataSourceOptions,
  KeyRing,
  keyIdOf,
  loadConfigOrExit,
  SocialAccountRepository,
  TransactionRunner,
} from '@app/shared';
import { DataSource } from 'typeorm';

/** Rows read and replaced per round trip: small enough to hold few row locks at once. */
const BATCH_SIZE = 500;

/**
 * `npm run keys:reencrypt`: re-encrypts every stored secret under ENCRYPTION_KEY, so the keys in
 * DECRYPTION_KEYS can then be removed (README: "Rotating the encryption key"). Safe while Herald runs.
 */
const config: AppConfig = loadConfigOrExit('keys:reencrypt');
const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl, 'herald-reencrypt')).initialize();
try {
  const accounts = new SocialAccountRepository(dataSource, new TransactionRunner(dataSource));
  const reencryption = new CredentialsReencryption(accounts, new CredentialsCipher(new KeyRing(config)));
  const counts = await reencryption.run(BATCH_SIZE);
  console.log(
    `Account credentials under key ${keyIdOf(config.encryptionKeys.current)} (ENCRYPTION_KEY): ` +
      `${counts.reencrypted} re-encrypted, ${counts.current} already current, ` +
      `${counts.changedMeanwhile} renewed meanwhile (kept), ${counts.unreadable.length} unreadable`,
  );
  if (counts.unreadable.length > 0) {
    console.error(
      `No configured key opens the credentials of accounts ${counts.unreadable.join(', ')}: ` +
        'keep DECRYPTION_KEYS until they are reconnected or deleted, or add the key they were sealed with',
    );
    process.exitCode = 1;
  }
} finally {
  await dataSource.destroy();
}
