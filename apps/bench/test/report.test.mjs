import { describe, expect, it } from 'vitest';
import { placementWarnings } from '../src/lib/report.mjs';

const run = (resources) => ({ store: 'postgres', round: 1, side: 'gateway', fanout: { resources } });
const pinning = { serverCpus: '0', generatorCpus: '1' };

describe('placementWarnings', () => {
  it('says when other work took a share of the server core, and when the generator saturated', () => {
    const warnings = placementWarnings(
      [
        run({ serverCores: 0.7, generatorCores: 0.6, coreBusy: { 0: 0.95, 1: 0.7 } }),
        run({ serverCores: 0.6, generatorCores: 0.9, coreBusy: { 0: 0.62, 1: 0.98 } }),
      ],
      pinning,
    );
    expect(warnings).toEqual([
      "other work on the server's core: postgres r1 gateway fanout: other work took 25% of the server's core(s) (the server itself 70%)",
      'the generator may have been the bottleneck: postgres r1 gateway fanout: generator core 98% busy (90% by the generator itself, the rest other work on the machine or interrupts), server process at 60% of its core(s)',
    ]);
  });

  it('is silent when the server had its core to itself and the generator had room', () => {
    expect(
      placementWarnings([run({ serverCores: 0.9, generatorCores: 0.5, coreBusy: { 0: 0.95, 1: 0.6 } })], pinning),
    ).toEqual([]);
  });
});
