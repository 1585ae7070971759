import { Injectable } from '@nestjs/common';
import cluster from 'node:cluster';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { clusterMetricsSource } from '../cluster/cluster-metrics.js';

/** Prometheus metrics of this process; one registry per app so tests can start several. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'realtime_connections',
    help: 'Sockets connected to this process',
    registers: [this.registry],
  });

  readonly eventsIn = new Counter({
    name: 'realtime_events_in_total',
    help: 'Client events received, by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly eventsOut = new Counter({
    name: 'realtime_events_out_total',
    help: 'Server events emitted, by event and target (user, users, all)',
    labelNames: ['event', 'target'] as const,
    registers: [this.registry],
  });

  readonly broadcastSeconds = new Counter({
    name: 'realtime_broadcast_seconds_total',
    help: "Time this process spent sending the server's own broadcasts (leaderboards), held to BROADCAST_CPU_SHARE",
    registers: [this.registry],
  });

  readonly broadcastsSuperseded = new Counter({
    name: 'realtime_broadcasts_superseded_total',
    help: 'Leaderboards replaced by a newer one before this process sent them',
    registers: [this.registry],
  });

  readonly offlineDeliveries = new Counter({
    name: 'realtime_offline_deliveries_total',
    help: 'Offline delivery outcomes, by channel, status (sent, skipped, retried, failed) and skip reason',
    labelNames: ['channel', 'status', 'reason'] as const,
    registers: [this.registry],
  });

  readonly emailDigests = new Counter({
    name: 'realtime_email_digests_total',
    help: 'Email digests, by outcome (sent, skipped when nothing was left in it, deferred, retried, failed)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly handshakeFailures = new Counter({
    name: 'realtime_handshake_failures_total',
    help: 'Refused handshakes, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Client events refused RATE_LIMITED, by reason: plain numbers on the flood path, read at each scrape. */
  readonly rateLimitedEvents = { rate: 0, inFlight: 0 };

  readonly rateLimited = new Counter({
    name: 'realtime_events_rate_limited_total',
    help: 'Client events refused RATE_LIMITED, by reason (rate: over the token bucket; in_flight: too many in progress)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
    collect: () => {
      this.rateLimited.reset();
      this.rateLimited.inc({ reason: 'rate' }, this.rateLimitedEvents.rate);
      this.rateLimited.inc({ reason: 'in_flight' }, this.rateLimitedEvents.inFlight);
    },
  });

  readonly rateLimitDisconnects = new Counter({
    name: 'realtime_rate_limit_disconnects_total',
    help: 'Sockets disconnected for staying over their event budget',
    registers: [this.registry],
  });

  readonly connectionsRefused = new Counter({
    name: 'realtime_connections_refused_total',
    help: 'Connections refused by a cap, by error code and cap (user, ip, sockets, sessions)',
    labelNames: ['code', 'cap'] as const,
    registers: [this.registry],
  });

  /** The embedded store's thread, read at each scrape (the event loop's own delay is `nodejs_eventloop_lag_*`). */
  watchEmbeddedStore(thread: { stalledMs(): number; counts: { timeouts: number; restarts: number } }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'realtime_store_stalled_seconds',
      help: 'How long the embedded store has been running its current statement (0: idle)',
      registers,
      collect() {
        this.set(thread.stalledMs() / 1000);
      },
    });
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counter(
      'realtime_store_timeouts_total',
      'Embedded store statements that did not answer in time',
      () => thread.counts.timeouts,
    );
    counter(
      'realtime_store_restarts_total',
      'Embedded store threads replaced after a stuck statement',
      () => thread.counts.restarts,
    );
  }

  /** The Prometheus text of this server: with WORKERS, of every worker, summed. */
  readonly scrape: () => Promise<string>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.scrape = cluster.isWorker ? clusterMetricsSource(this.registry) : () => this.registry.metrics();
  }
}
