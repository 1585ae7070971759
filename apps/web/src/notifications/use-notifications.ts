import type { AckResponse } from '@realtime/contracts';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { describeError, isAbort } from '../api/http.js';
import { fetchNotifications } from '../api/notifications.js';
import { useSignedIn } from '../session/session-context.js';
import { readLastSeq, writeLastSeq } from '../session/session-store.js';
import { useSocket, useSocketEvent } from '../socket/use-socket.js';
import { useToasts } from '../toasts/toast-context.js';
import { feedReducer, initialFeedState } from './feed-reducer.js';

const ACK_TIMEOUT_MS = 5_000;

/** The signed-in user's feed: first page over HTTP, then kept live by socket events. */
export function useNotifications() {
  const { userId, authed } = useSignedIn();
  const { socket } = useSocket();
  const { notify } = useToasts();
  const [state, dispatch] = useReducer(feedReducer, undefined, () => initialFeedState(false, readLastSeq(userId) ?? 0));
  const firstPage = useRef<AbortController | null>(null);

  const loadFirstPage = useCallback(
    (unreadOnly?: boolean) => {
      firstPage.current?.abort();
      const controller = new AbortController();
      firstPage.current = controller;
      dispatch({ type: 'reset', unreadOnly });
      authed((token) => fetchNotifications(token, { unreadOnly }, controller.signal))
        .then((page) => dispatch({ type: 'pageLoaded', page, append: false }))
        .catch((err: unknown) => {
          if (isAbort(err)) return;
          dispatch({ type: 'pageFailed' });
          notify({ tone: 'error', title: 'Could not load notifications', message: describeError(err) });
        });
    },
    [authed, notify],
  );

  const unreadOnly = state.unreadOnly;
  useEffect(() => {
    loadFirstPage(unreadOnly);
    return () => firstPage.current?.abort();
  }, [unreadOnly, loadFirstPage]);

  useEffect(() => {
    if (state.status === 'ready' || state.lastSeq > 0) writeLastSeq(userId, state.lastSeq);
  }, [userId, state.lastSeq, state.status]);

  const loadMore = useCallback(() => {
    if (!state.nextCursor || state.loadingMore) return;
    dispatch({ type: 'loadingMore' });
    authed((token) => fetchNotifications(token, { unreadOnly: state.unreadOnly, cursor: state.nextCursor }))
      .then((page) => dispatch({ type: 'pageLoaded', page, append: true }))
      .catch((err: unknown) => {
        dispatch({ type: 'pageFailed' });
        notify({ tone: 'error', title: 'Could not load more', message: describeError(err) });
      });
  }, [state.nextCursor, state.loadingMore, state.unreadOnly, authed, notify]);

  useSocketEvent('notification:new', ({ notification }) => dispatch({ type: 'received', notification }));
  useSocketEvent('notification:read', ({ notificationId }) => dispatch({ type: 'read', notificationId }));
  useSocketEvent('notification:deleted', ({ notificationId }) => dispatch({ type: 'deleted', notificationId }));
  useSocketEvent('notification:unread_count', ({ unreadCount, version }) =>
    dispatch({ type: 'unreadCount', unreadCount, version }),
  );
  useSocketEvent('notification:resync', () => loadFirstPage(state.unreadOnly));
  // A handshake sent before this tab knew any seq replays nothing: fetch again to close that gap.
  useSocketEvent('authenticated', () => {
    if (readLastSeq(userId) === null) loadFirstPage(state.unreadOnly);
  });

  const act = useCallback(
    async (
      label: string,
      run: () => Promise<AckResponse<{ unreadCount: number; version: number }>>,
      onOk: () => void,
    ) => {
      try {
        const res = await run();
        if (!res.ok) throw new Error(res.error.message);
        onOk();
        dispatch({ type: 'unreadCount', unreadCount: res.unreadCount, version: res.version });
      } catch (err) {
        const message =
          err instanceof Error && err.message !== 'operation has timed out'
            ? err.message
            : 'No answer from the server.';
        notify({ tone: 'error', title: `Could not ${label}`, message });
      }
    },
    [notify],
  );

  const ack = useCallback(() => socket.timeout(ACK_TIMEOUT_MS), [socket]);
  const markRead = (notificationId: string) =>
    act(
      'mark it read',
      () => ack().emitWithAck('notification:mark_read', { notificationId }),
      () => dispatch({ type: 'read', notificationId }),
    );
  const markAllRead = () =>
    act(
      'mark all read',
      () => ack().emitWithAck('notification:mark_all_read', {}),
      () => dispatch({ type: 'allRead' }),
    );
  const remove = (notificationId: string) =>
    act(
      'delete it',
      () => ack().emitWithAck('notification:delete', { notificationId }),
      () => dispatch({ type: 'deleted', notificationId }),
    );
  const setUnreadOnly = (value: boolean) => dispatch({ type: 'reset', unreadOnly: value });

  return { ...state, loadMore, markRead, markAllRead, remove, setUnreadOnly, retry: () => loadFirstPage(unreadOnly) };
}
