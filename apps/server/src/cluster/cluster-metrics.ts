import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const METRICS_REQUEST = 'realtime:metrics-request';
const METRICS_RESPONSE = 'realtime:metrics-response';
const TIMEOUT_MS = 5000;

interface MetricsResponse {
  type: typeof METRICS_RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

/** Primary: answers a worker's request for the metrics of every worker, summed by prom-client. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: unknown; id?: number }) => {
    if (message?.type !== METRICS_REQUEST) return;
    const reply = (r: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: METRICS_RESPONSE, id: message.id, ...r });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

/** Worker: lets the primary collect this registry, and returns a function that fetches the whole cluster's. */
export function clusterMetricsSource(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's collection requests.
  new AggregatorRegistry();
  const pending = new Map<number, (r: MetricsResponse) => void>();
  let nextId = 0;
  process.on('message', (message: Partial<MetricsResponse>) => {
    if (message?.type === METRICS_RESPONSE) pending.get(message.id!)?.(message as MetricsResponse);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the cluster did not answer with its metrics in time'));
      }, TIMEOUT_MS);
      pending.set(id, (r) => {
        clearTimeout(timer);
        pending.delete(id);
        if (r.text !== undefined) resolve(r.text);
        else reject(new Error(r.error ?? 'no metrics'));
      });
      process.send!({ type: METRICS_REQUEST, id });
    });
}
