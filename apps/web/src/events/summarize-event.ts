const MAX_LENGTH = 90;

const truncate = (text: string) => (text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text);

/** One readable line for a socket event's payload, for the event log. */
export function summarizeEvent(event: string, payload: unknown): string {
  if (payload === undefined) return '';
  if (typeof payload !== 'object' || payload === null) return truncate(JSON.stringify(payload));
  const p = payload as Record<string, unknown>;
  if (event === 'notification:new' && typeof p.notification === 'object' && p.notification !== null) {
    const n = p.notification as { seq?: unknown; title?: unknown };
    return truncate(`seq ${String(n.seq)} · “${String(n.title)}”`);
  }
  if (event === 'leaderboard:updated' && Array.isArray(p.leaderboard)) {
    const top = p.leaderboard[0] as { displayName?: string; userId?: string; xp?: number } | undefined;
    // A group's board and the global one share the event; the log says which board moved.
    const board = typeof p.groupId === 'string' ? `${p.groupId} · ` : '';
    return (
      board + (top ? `${p.leaderboard.length} entries · top ${top.displayName ?? top.userId} (${top.xp} XP)` : 'empty')
    );
  }
  // The handshake token never belongs on screen.
  const { token: _token, ...rest } = p;
  return truncate(
    Object.entries(rest)
      .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', '),
  );
}
