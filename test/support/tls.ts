import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCertificate {
  key: Buffer;
  cert: Buffer;
  /** Path of the certificate, for NODE_EXTRA_CA_CERTS. */
  certPath: string;
  remove(): void;
}

/** A throwaway certificate for 127.0.0.1/localhost, made with openssl in a temporary folder. */
export async function createSelfSignedCertificate(): Promise<SelfSignedCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  return {
    key: readFileSync(keyPath),
    cert: readFileSync(certPath),
    certPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
