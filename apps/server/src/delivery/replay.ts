/** At most this many missed notifications are replayed on connect; beyond it the client resyncs over HTTP. */
export const REPLAY_LIMIT = 100;
