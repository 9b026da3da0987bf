/**
 * Runs the S3 emulator on its own: `npx tsx emulators/s3/main.ts`. Point Herald at it with
 * MEDIA_STORAGE=s3 S3_ENDPOINT=http://127.0.0.1:4569 S3_FORCE_PATH_STYLE=true S3_BUCKET=herald-media
 * S3_ACCESS_KEY_ID=HERALDEMULATORKEY S3_SECRET_ACCESS_KEY=<anything>.
 */
import { startS3Emulator } from './s3-emulator.js';

const emulator = await startS3Emulator({
  port: Number(process.env.S3_EMULATOR_PORT ?? 4569),
  host: '127.0.0.1',
  buckets: (process.env.S3_EMULATOR_BUCKETS ?? 'herald-media').split(','),
});
console.log(`[s3-emulator] listening on ${emulator.url} (access key id ${emulator.accessKeyId})`);

const stop = () =>
  void emulator.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[s3-emulator] could not close cleanly:', error);
      process.exit(1);
    },
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
