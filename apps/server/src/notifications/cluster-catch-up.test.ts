import { describe, expect, it, vi } from 'vitest';
import { type AppSocket } from '../realtime/socket-types.js';
import { ClusterCatchUp, SentPosition } from './cluster-catch-up.js';
import { REPLAY_LIMIT } from './replay.js';

describe('SentPosition', () => {
  it('a later seq does not close a gap: the catch-up still sends what is missing', () => {
    const position = new SentPosition(9);
    position.sent(73); // a live emit through Redis, back before the catch-up ran
    expect(position.upTo).toBe(9);
    expect(position.has(10)).toBe(false);
    expect(position.has(73)).toBe(true);
  });

  it('filling the gap moves the position past what was sent above it', () => {
    const position = new SentPosition(4);
    position.sent(6);
    position.sent(7);
    position.sent(5);
    expect(position.upTo).toBe(7);
    position.sentUpTo(10); // a resync
    position.sent(12);
    position.sent(11);
    expect(position.upTo).toBe(12);
  });

  it('a resync that reaches a gap joins what was sent above it', () => {
    const position = new SentPosition(4);
    position.sent(6);
    position.sent(7);
    position.sentUpTo(5);
    expect(position.upTo).toBe(7);
  });

  it('gives up on a gap no catch-up fills instead of tracking it forever', () => {
    const position = new SentPosition(0);
    for (let seq = 2; seq <= REPLAY_LIMIT + 2; seq++) position.sent(seq);
    expect(position.upTo).toBe(REPLAY_LIMIT + 2);
  });
});

describe('ClusterCatchUp', () => {
  it('finds missing a seq published elsewhere below a live one that reached the socket during its handshake', async () => {
    const listeners: ((event: string, payload: unknown) => void)[] = [];
    const socket = { data: { userId: 'u1' }, connected: true, onAnyOutgoing: (l: never) => listeners.push(l) };
    const sent: [string, unknown][] = [];
    const send = (event: string, payload: unknown) => {
      sent.push([event, payload]);
      for (const l of listeners) l(event, payload);
    };
    const stored = [6, 7, 8, 9, 10].map((seq) => ({ seq }));
    let connected: (s: unknown) => void = () => undefined;
    let recovered: () => void = () => undefined;
    const ws = {
      onConnection: (l: typeof connected) => (connected = l),
      fromOtherProcesses: () => undefined,
      toOtherProcesses: () => undefined,
      localSockets: () => [socket].values(),
      setGroups: () => undefined,
      emitToSocket: (_: unknown, event: string, payload: unknown) => send(event, payload),
    };
    const repo = {
      state: () => Promise.resolve({ lastSeq: 10, unreadCount: 5, version: 12, groups: [] }),
      since: (_: string, from: number) => Promise.resolve(stored.filter((n) => n.seq > from)),
    };
    // The notifications (`since`) and the user's state (`state`) from one fake.
    const catchUp = new ClusterCatchUp(
      ws as never,
      repo as never,
      repo as never,
      { onRecovered: (l: () => void) => (recovered = l) } as never,
    );
    catchUp.onApplicationBootstrap();
    connected(socket);

    // The handshake resumed from 5 and read the state at 8: it replays 6-8. Meanwhile 9 was published on a
    // process Redis could not reach, and 10 on this one: the socket gets 10, and `synced` names 10.
    for (const n of stored.slice(0, 3)) send('notification:new', { notification: n, replayed: true });
    send('notification:new', { notification: stored[4] });
    catchUp.handshakeDone(socket as unknown as AppSocket, 8);
    send('notification:synced', { lastSeq: 10 });
    sent.length = 0;

    recovered();
    await vi.waitFor(() => expect(sent.at(-1)?.[0]).toBe('notification:unread_count'));
    expect(sent.filter(([event]) => event === 'notification:new')).toEqual([
      ['notification:new', { notification: { seq: 9 }, timestamp: expect.any(String) }],
    ]);
  });
});
