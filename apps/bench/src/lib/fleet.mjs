// The generator's sockets (two devices per user) and the ledger of everything that went wrong. Every
// event a socket receives after its handshake goes to `fleet.onEvent`, which the running scenario
// sets; whatever no scenario expects is a violation, and any violation fails the run.
import { WireClient } from './wire.mjs';

const SAMPLES = 10;

/** A mode's result gets the fleet's violations as they are, and one line of `problems` for each kind. */
export function reportViolations(fleet, result) {
  result.violations = fleet.violations;
  result.violationSamples = fleet.violationSamples;
  for (const [kind, n] of Object.entries(fleet.violations)) result.problems.push(`${kind} x${n}`);
}

export function createFleet({ users, devicesPerUser = 2, tokens }) {
  const fleet = {
    clients: [],
    byUser: new Map(),
    /** kind -> count, plus a few samples each: lost, duplicated, misrouted, unexpected, HTTP failures... */
    violations: {},
    violationSamples: {},
    serverErrors: 0,
    serverErrorSamples: [],
    disconnects: 0,
    disconnectReasons: {},
    /** Events a scenario may see without tracking them (e.g. unread counts after a mark-read). */
    tolerated: new Set(['notification:synced']),
    onEvent: null,
    violation(kind, sample) {
      fleet.violations[kind] = (fleet.violations[kind] ?? 0) + 1;
      const list = (fleet.violationSamples[kind] ??= []);
      if (sample !== undefined && list.length < SAMPLES) list.push(sample);
    },
    violationCount() {
      return Object.values(fleet.violations).reduce((s, v) => s + v, 0);
    },
    onServerError(client, payload) {
      fleet.serverErrors++;
      if (fleet.serverErrorSamples.length < SAMPLES) fleet.serverErrorSamples.push({ userId: client.userId, payload });
    },
    onDisconnect(client, reason) {
      fleet.disconnects++;
      fleet.disconnectReasons[reason] = (fleet.disconnectReasons[reason] ?? 0) + 1;
      fleet.violation('socket lost', `${client.userId}/${client.device}: ${reason}`);
    },
    dispatch(client, name, payload) {
      if (fleet.onEvent?.(client, name, payload)) return;
      if (fleet.tolerated.has(name)) return;
      fleet.violation(`unexpected ${name}`, { userId: client.userId, payload });
    },
    /** Closes every socket (bounded). */
    async closeAll() {
      await Promise.all(fleet.clients.map((c) => c.close()));
    },
  };
  const sink = {
    onEvent: (c, n, p) => fleet.dispatch(c, n, p),
    onServerError: (c, p) => fleet.onServerError(c, p),
    onDisconnect: (c, r) => fleet.onDisconnect(c, r),
  };
  // Socket i is device floor(i / users) of user i % users: the first half connects one device per user.
  for (const u of users) fleet.byUser.set(u, []);
  for (let i = 0; i < users.length * devicesPerUser; i++) {
    const userId = users[i % users.length];
    const client = new WireClient({
      index: i,
      userId,
      device: Math.floor(i / users.length),
      token: tokens.get(userId),
      sink,
    });
    fleet.clients.push(client);
    fleet.byUser.get(userId).push(client);
  }
  return fleet;
}
