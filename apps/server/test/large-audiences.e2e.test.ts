import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs, http, next, sign, startServer, type TestServer, trackClients } from './helpers.js';
import { dropTestDatabases, storeTargets } from './services.js';

afterAll(() => dropTestDatabases());

/**
 * Audiences past what one statement's bind parameters can hold (65,535: a group of 9,363 users
 * overflowed the notifications insert, which failed as a broken connection). Publishing costs a
 * constant number of parameters whatever the audience. Past GROUP_PUBLISH_CHUNK_SIZE (5,000) members a
 * group is stored in several transactions, one per chunk (group-publish.e2e.test.ts tests that closely).
 */
const MEMBERS = 12_000;

describe.each(storeTargets)('large audiences on the $name store', (target) => {
  let server: TestServer;
  let service: string;
  const track = trackClients();
  const members = Array.from({ length: MEMBERS }, (_, i) => `member-${String(i).padStart(5, '0')}`);

  beforeAll(async () => {
    server = await startServer(await target.env());
    service = await sign({ sub: 'backend', role: 'service' });
    for (let i = 0; i < MEMBERS; i += 1000) {
      const res = await http(server, 'PUT', '/api/groups/everyone/members', {
        token: service,
        body: { userIds: members.slice(i, i + 1000) },
      });
      expect(res.status).toBe(200);
    }
  }, 120_000);
  afterAll(() => server.close());

  it(`publishes one notification to each of ${MEMBERS} members of a group`, async () => {
    const last = track(await connectAs(server, members.at(-1)!));
    // One member turned this type off in-app, another only offline: the first gets nothing.
    for (const [user, channels] of [
      [members[0]!, { inApp: false }],
      [members[1]!, { offline: false }],
    ] as const) {
      const token = await sign({ sub: user });
      await http(server, 'PUT', '/api/preferences', { token, body: { preferences: { digest: channels } } });
    }
    const delivered = next(last, 'notification:new', 60_000);
    const res = await http(server, 'POST', '/api/notifications', {
      token: service,
      body: { groupId: 'everyone', type: 'digest', title: 'to all', message: 'm' },
    });
    expect(res.status).toBe(201);
    expect(res.body.notifications).toHaveLength(MEMBERS - 1);
    expect(new Set(res.body.notifications.map((n: { userId: string }) => n.userId)).has(members[0])).toBe(false);
    expect(res.body.notifications.every((n: { seq: number }) => n.seq === 1)).toBe(true);
    expect((await delivered).notification).toMatchObject({ userId: members.at(-1), seq: 1, title: 'to all' });
  }, 120_000);
});
