// The load generator's client: Engine.IO v4 / Socket.IO v5 spoken directly over `ws`, WebSocket
// transport only, namespace "/", text packets only. It does what socket.io-client would do on this
// path and nothing more (no reconnection, no buffering, no polling upgrade), so one generator core
// can drive thousands of sockets without becoming the bottleneck.
//
//   server  0{"sid":..,"pingInterval":..}   Engine.IO open
//   client  40{"token":"<jwt>"}              Socket.IO CONNECT with auth
//   server  40{"sid":".."} | 44{"message":..,"data":{"code":..}}
//   server  42["event",payload]              EVENT (from then on)
//   client  42<id>["event",payload]          EVENT with an ack id; the server answers 43<id>[response]
//   server  2 (ping) -> client 3 (pong)
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import WebSocket from 'ws';

export const now = () => performance.now();

/**
 * One device. `sink` receives what the scenarios look at:
 *   sink.onEvent(client, name, payload)   every EVENT after the handshake
 *   sink.onServerError(client, payload)   `error` events
 *   sink.onDisconnect(client, reason)     a socket lost after the handshake, not closed by the bench
 */
export class WireClient {
  constructor({ index, userId, device, token, sink }) {
    this.index = index;
    this.userId = userId;
    this.device = device;
    this.token = token;
    this.sink = sink;
    this.ws = null;
    this.ready = false;
    this.closing = false;
    this.tStart = 0;
    this.tConnect = 0;
    this.tAuth = 0;
    this.tUnread = 0;
    this.acks = new Map();
    this.nextAck = 0;
  }

  /** Connects; resolves once `notification:unread_count` arrives (the handshake is complete then). */
  open(url, timeoutMs) {
    return new Promise((resolve, reject) => {
      this.tStart = now();
      let settled = false;
      const settle = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          this.closing = true;
          this.ws?.terminate();
          reject(err);
        } else {
          this.ready = true;
          resolve(this);
        }
      };
      const timer = setTimeout(
        () => settle(new Error(`handshake not complete within ${Math.round(timeoutMs)} ms`)),
        timeoutMs,
      );
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        skipUTF8Validation: true,
        handshakeTimeout: timeoutMs,
      });
      this.ws = ws;
      ws.on('error', (err) => settle(new Error(`websocket error: ${err.message}`)));
      ws.on('close', (code) => {
        const was = this.ready;
        this.ready = false;
        for (const [, a] of this.acks) a.reject(new Error('socket closed before the ack'));
        this.acks.clear();
        if (!settled) settle(new Error(`websocket closed during the handshake (${code})`));
        else if (was && !this.closing) this.sink.onDisconnect(this, `close ${code}`);
      });
      ws.on('message', (data) => {
        const s = typeof data === 'string' ? data : data.toString();
        switch (s.charCodeAt(0)) {
          case 52: // '4' message: a Socket.IO packet
            this.packet(s, settle);
            break;
          case 50: // '2' ping
            ws.send('3');
            break;
          case 48: // '0' open
            ws.send(`40${JSON.stringify({ token: this.token })}`);
            break;
          case 49: // '1' close
            ws.close();
            break;
          default: // '6' noop and anything else
            break;
        }
      });
    });
  }

  packet(s, settle) {
    switch (s.charCodeAt(1)) {
      case 50: {
        // '2' EVENT: 42[...] (an ack id would precede the array; the server sends none)
        let i = 2;
        while (i < s.length && s.charCodeAt(i) !== 91) i++;
        const arr = JSON.parse(i === 2 ? s.slice(2) : s.slice(i));
        this.event(arr[0], arr[1], settle);
        break;
      }
      case 51: {
        // '3' ACK: 43<id>[...]
        let i = 2;
        while (i < s.length && s.charCodeAt(i) !== 91) i++;
        const id = Number(s.slice(2, i));
        const a = this.acks.get(id);
        if (a) {
          this.acks.delete(id);
          a.resolve(JSON.parse(s.slice(i))[0]);
        }
        break;
      }
      case 48: // '0' CONNECT ok
        this.tConnect = now();
        break;
      case 52: {
        // '4' CONNECT_ERROR
        let why = s.slice(2);
        try {
          const e = JSON.parse(why);
          why = `${e.message ?? 'refused'} ${e.data?.code ?? ''}`.trim();
        } catch {
          // keep the raw text
        }
        settle(new Error(`connect_error ${why}`));
        break;
      }
      case 49: // '1' DISCONNECT by the server
        this.ws.close();
        break;
      default:
        break;
    }
  }

  event(name, payload, settle) {
    if (!this.ready) {
      // The handshake: `authenticated` for this very user, then the unread count completes it.
      if (name === 'authenticated') {
        if (payload?.success !== true || payload.userId !== this.userId) {
          settle(new Error(`authenticated for ${JSON.stringify(payload?.userId)}, expected ${this.userId}`));
          return;
        }
        this.tAuth = now();
        return;
      }
      if (name === 'notification:unread_count') {
        if (!this.tAuth) {
          settle(new Error('notification:unread_count before authenticated'));
          return;
        }
        if (typeof payload?.unreadCount !== 'number') {
          settle(new Error(`notification:unread_count without a count: ${JSON.stringify(payload)}`));
          return;
        }
        this.tUnread = now();
        settle();
        return;
      }
      if (name === 'error') {
        this.sink.onServerError(this, payload);
        return;
      }
      settle(new Error(`${name} before the handshake was complete`));
      return;
    }
    if (name === 'error') this.sink.onServerError(this, payload);
    else this.sink.onEvent(this, name, payload);
  }

  /** Sends an EVENT with an ack id; resolves with the server's first ack argument. */
  emitWithAck(name, payload, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (!this.ready) {
        reject(new Error('not connected'));
        return;
      }
      const id = this.nextAck++;
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(`42${id}${JSON.stringify([name, payload])}`);
    });
  }

  /** Closes politely; resolves when the socket is gone (terminated after `timeoutMs`). */
  close(timeoutMs = 2000) {
    this.closing = true;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, timeoutMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) {
        ws.send('41'); // Socket.IO DISCONNECT, then the WebSocket close
        ws.close(1000);
      } else ws.terminate();
    });
  }
}
