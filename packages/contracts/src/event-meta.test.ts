import { describe, expect, it } from 'vitest';
import { clientAckSchemas, clientToServerSchemas, handshake, serverToClientSchemas } from './index.js';

const described = (schemas: Record<string, { meta(): { description?: string } | undefined }>) =>
  Object.entries(schemas).map(([name, s]) => [name, s.meta()?.description] as const);

describe('event metadata', () => {
  it.each([
    ...described(serverToClientSchemas),
    ...described(clientToServerSchemas),
    ...described(clientAckSchemas).map(([n, d]) => [`${n} ack`, d] as const),
    ['handshake auth', handshake.auth.meta()?.description] as const,
    ['connect_error', handshake.refusal.meta()?.description] as const,
  ])('%s has a description', (_, description) => {
    expect(description).toMatch(/^\S.{10,}/);
  });

  it('refuses a handshake refusal with another message or code', () => {
    expect(handshake.refusal.safeParse({ message: 'Unauthorized', data: { code: 'TOKEN_EXPIRED' } }).success).toBe(
      true,
    );
    expect(handshake.refusal.safeParse({ message: 'Forbidden', data: { code: 'TOKEN_EXPIRED' } }).success).toBe(false);
    expect(handshake.refusal.safeParse({ message: 'Unauthorized', data: { code: 'NOT_FOUND' } }).success).toBe(false);
  });
});
