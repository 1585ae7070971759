import { describe, expect, it } from 'vitest';
import { describeError, describeFailure, GatewayError } from './failures.js';

describe('failures', () => {
  it("shows the gateway's message, and the page's words for calls that never got an answer", () => {
    expect(describeFailure({ code: 'FORBIDDEN', message: 'service tokens only' })).toBe('service tokens only');
    expect(describeFailure({ code: 'NETWORK_ERROR', message: 'fetch failed' })).toBe('The gateway cannot be reached.');
    expect(describeFailure({ code: 'TIMEOUT', message: 'no acknowledgement within 5000 ms' })).toBe(
      'No answer from the gateway.',
    );
  });

  it('keeps the code of a failure thrown as an error', () => {
    const err = new GatewayError({ code: 'VALIDATION_ERROR', message: 'give a userId or a name' });
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', message: 'give a userId or a name' });
    expect(describeError(err)).toBe('give a userId or a name');
    expect(describeError('nope')).toBe('Something went wrong.');
  });
});
