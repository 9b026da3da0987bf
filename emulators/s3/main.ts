/**
 * Runs the S3 emulator on its own: `npx tsx emulators/s3/main.ts`. Point Herald at it with
 * MEDIA_STORAGE=s3 S3_ENDPOINT=http://127.0.0.1:4580 S3_FORCE_PATH_STYLE=true S3_BUCKET=herald-media
 * S3_ACCESS_KEY_ID=HERALDEMULATORKEY S3_SECRET_ACCESS_KEY=<anything>. Its port (S3_EMULATOR_PORT) is clear
 * of the platform emulators' in emulators/registry.ts.
 */
import { closeOnSignals } from '../run-emulator.js';
import { startS3Emulator } from './s3-emulator.js';

const emulator = await startS3Emulator({
  port: Number(process.env.S3_EMULATOR_PORT ?? 4580),
  host: '127.0.0.1',
  buckets: (process.env.S3_EMULATOR_BUCKETS ?? 'herald-media').split(','),
});
console.log(`[s3-emulator] listening on ${emulator.url} (access key id ${emulator.accessKeyId})`);
closeOnSignals('[s3-emulator]', emulator);
