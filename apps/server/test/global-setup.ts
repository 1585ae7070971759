import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/**
 * One self-signed certificate per run for the HTTPS push receiver (test/fixtures/push-receiver.ts).
 * Node reads NODE_EXTRA_CA_CERTS only when a process starts, so it is set here, before vitest forks
 * its workers (which inherit this environment): every worker, and each server a test spawns, then
 * trusts the receiver the way production trusts a real push service, with no `ca` option in code.
 */
export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'push-tls-'));
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 3 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const cert = join(dir, 'cert.pem');
  writeFileSync(cert, pems.cert);
  writeFileSync(join(dir, 'key.pem'), pems.private, { mode: 0o600 });
  process.env.NODE_EXTRA_CA_CERTS = cert;
  process.env.TEST_PUSH_TLS_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
