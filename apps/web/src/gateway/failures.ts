/** What the SDK answers a failed call or action with: the gateway's `{ code, message }`, or its own. */
export interface Failure {
  code: string;
  message: string;
}

// The SDK's codes for calls that never got an answer, in the words the page uses.
const WORDS: Record<string, string> = {
  NETWORK_ERROR: 'The gateway cannot be reached.',
  TIMEOUT: 'No answer from the gateway.',
  NOT_CONNECTED: 'Not connected to the gateway right now.',
};

/** One line for the UI. */
export const describeFailure = ({ code, message }: Failure): string => WORDS[code] ?? message;

/** A failed call as something to throw, for code that awaits several steps (sign-in, the demo's service calls). */
export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: string;

  constructor(failure: Failure) {
    super(describeFailure(failure));
    this.code = failure.code;
  }
}

/** A short line for the UI, whatever was thrown. */
export const describeError = (err: unknown): string => (err instanceof Error ? err.message : 'Something went wrong.');
