import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { StickyBalancer } from './sticky-balancer.js';

describe('StickyBalancer', () => {
  it('answers 503 to a connection accepted just before it closed, instead of handing it to a draining worker', async () => {
    const balancer = new StickyBalancer();
    balancer.server.listen(0, '127.0.0.1');
    await once(balancer.server, 'listening');
    const { port } = balancer.server.address() as AddressInfo;
    const client = connect(port, '127.0.0.1');
    await once(balancer.server, 'connection');
    balancer.close();
    client.write('GET /ready HTTP/1.1\r\nHost: x\r\n\r\n');
    let answer = '';
    client.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await once(client, 'end');
    expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(answer).toContain('Retry-After: 1');
    client.destroy();
  });
});
