import { type ServerEventName, type ServerPayload } from '@realtime/contracts';
import { type Socket } from 'socket.io-client';
import { type Client } from './helpers.js';

/**
 * Resolves with the first payload of `event` that `pick` accepts, or rejects after `ms`: a marker
 * sent after what must not arrive proves that it did not.
 */
export function until<E extends ServerEventName>(
  socket: Client,
  event: E,
  pick: (payload: ServerPayload<E>) => boolean,
  ms = 5000,
): Promise<ServerPayload<E>> {
  const raw = socket as unknown as Socket;
  return new Promise((resolve, reject) => {
    const listener = (payload: ServerPayload<E>) => {
      if (!pick(payload)) return;
      clearTimeout(timer);
      raw.off(event as string, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      raw.off(event as string, listener);
      reject(new Error(`no matching ${event} within ${ms}ms`));
    }, ms);
    raw.on(event as string, listener);
  });
}
