import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

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

  readonly handshakeFailures = new Counter({
    name: 'realtime_handshake_failures_total',
    help: 'Refused handshakes, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
