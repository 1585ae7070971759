import cluster from 'node:cluster';
import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StickyBalancer } from './sticky-balancer.js';

/** A real cluster worker that has stopped reading its IPC channel: a connection handed to it is never taken. */
async function stalledWorker() {
  cluster.setupPrimary({ exec: fileURLToPath(new URL('../../test/fixtures/stalled-worker.cjs', import.meta.url)) });
  const worker = cluster.fork();
  await once(worker, 'message');
  worker.send('stall');
  await once(worker, 'message');
  return worker;
}

/** A balancer with `worker`, listening on a free port of 127.0.0.1, and a client connected to it. */
async function balancerWith(worker: ReturnType<typeof cluster.fork>) {
  const balancer = new StickyBalancer();
  balancer.add(worker);
  balancer.server.listen(0, '127.0.0.1');
  await once(balancer.server, 'listening');
  const client = connect((balancer.server.address() as AddressInfo).port, '127.0.0.1');
  return { balancer, client };
}

describe('StickyBalancer', () => {
  it('answers 503 to a connection accepted just before it closed, instead of handing it to a draining worker', async () => {
    // A worker that would never answer: without the check, the connection would go to it and hang.
    const worker = await stalledWorker();
    try {
      const { balancer, client } = await balancerWith(worker);
      await once(balancer.server, 'connection');
      balancer.close();
      client.write('GET /ready HTTP/1.1\r\nHost: x\r\n\r\n');
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      await once(client, 'end');
      expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(answer).toContain('Retry-After: 1');
      client.destroy();
    } finally {
      worker.process.kill('SIGKILL');
    }
  });

  it('closes a connection handed to a worker that died before taking it, instead of leaving its client hanging', async () => {
    const worker = await stalledWorker();
    try {
      const { balancer, client } = await balancerWith(worker);
      client.on('error', () => undefined);
      const closed = once(client, 'close');
      client.write('GET /ready HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 200)); // handed over, waiting for the acknowledgement
      worker.process.kill('SIGKILL');
      await closed;
      balancer.server.close();
    } finally {
      if (!worker.isDead()) worker.process.kill('SIGKILL');
    }
  });
});
