import type { RealtimeClient, RealtimeEvents } from '../../src/index.js';

type Payload<E extends keyof RealtimeEvents> = Parameters<RealtimeEvents[E]>[0];

/** Resolves with the first payload of `event` that `pick` accepts, or rejects after `ms`. */
export function until<E extends keyof RealtimeEvents>(
  client: RealtimeClient,
  event: E,
  pick: (payload: Payload<E>) => boolean = () => true,
  ms = 10_000,
): Promise<Payload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${String(event)} within ${ms} ms`));
    }, ms);
    const off = client.on(event, ((payload: Payload<E>) => {
      if (!pick(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    }) as RealtimeEvents[E]);
  });
}

/** Resolves once the client's state is `state` (at once when it already is). */
export function untilState(client: RealtimeClient, state: RealtimeClient['state'], ms = 10_000): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return until(client, 'state', (c) => c.to === state, ms).then(() => undefined);
}

/** Every payload of `event`, as it arrives. */
export function record<E extends keyof RealtimeEvents>(client: RealtimeClient, event: E): Payload<E>[] {
  const seen: Payload<E>[] = [];
  client.on(event, ((payload: Payload<E>) => seen.push(payload)) as RealtimeEvents[E]);
  return seen;
}
