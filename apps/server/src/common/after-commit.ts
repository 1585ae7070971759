import { type Logger } from '@nestjs/common';

/** One thing to do after a COMMIT, named for the log. */
export type AfterCommitStep = [what: string, step: () => void];

/**
 * Runs each step of what follows a COMMIT (emits, mostly), every one of them even when another throws:
 * the change is stored and will replay, so a failure here is logged and never becomes the answer.
 */
export function afterCommit(logger: Logger, steps: Iterable<AfterCommitStep>): void {
  for (const [what, step] of steps) {
    try {
      step();
    } catch (err) {
      logger.error(`${what} failed after commit: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
}
