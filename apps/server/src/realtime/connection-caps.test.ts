import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { connectionLimits, parseOpenFileLimit } from './connection-caps.js';

const procLimits = (soft: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max processes             63432                63432                processes ',
    `Max open files            ${soft.padEnd(20)} 1048576              files     `,
  ].join('\n');

describe('connection caps', () => {
  it('reads the soft open-file limit of /proc/self/limits', () => {
    expect(parseOpenFileLimit(procLimits('1024'))).toBe(1024);
    expect(parseOpenFileLimit(procLimits('unlimited'))).toBe(1_048_576);
    expect(parseOpenFileLimit('nothing here')).toBeNull();
  });

  it('derives maxConnections from the open-file limit, keeping a reserve for HTTP below it', () => {
    const limits = connectionLimits(loadConfig({}).limits, 1024);
    expect(limits.maxConnections).toBe(857);
    expect(limits.maxSockets).toBe(857 - 86);
    expect(limits.maxSessions).toBe(857 - 86 + 43);
    expect(connectionLimits(loadConfig({}).limits, null).maxConnections).toBe(1024);
  });

  it('takes MAX_CONNECTIONS as given, and the per-user and per-IP caps', () => {
    const limits = connectionLimits(
      loadConfig({ MAX_CONNECTIONS: '20', MAX_SOCKETS_PER_USER: '3', MAX_CONNECTIONS_PER_IP: '5' }).limits,
      1024,
    );
    expect(limits).toEqual({
      maxConnections: 20,
      maxSockets: 18,
      maxSessions: 19,
      maxSocketsPerUser: 3,
      maxSocketsPerIp: 5,
    });
  });
});
