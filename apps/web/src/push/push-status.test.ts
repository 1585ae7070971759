import { PushError } from '@realtime/client';
import { describe, expect, it } from 'vitest';
import { describePush } from './push-status.js';

const idle = { error: null, busy: false };

describe('describePush', () => {
  it('shows each state of the device', () => {
    expect(describePush({ state: null, ...idle })).toMatchObject({ status: 'checking', enabled: false });
    expect(describePush({ state: 'unsupported', ...idle })).toMatchObject({ status: 'unsupported', enabled: false });
    expect(describePush({ state: 'denied', ...idle })).toMatchObject({
      status: 'blocked',
      label: 'Blocked by the browser',
      enabled: false,
    });
    expect(describePush({ state: 'prompt', ...idle })).toMatchObject({ status: 'off', label: 'Off', enabled: true });
    expect(describePush({ state: 'unsubscribed', ...idle })).toMatchObject({ status: 'off', enabled: true });
    expect(describePush({ state: 'subscribed', ...idle })).toMatchObject({ status: 'on', label: 'On', enabled: true });
    expect(describePush({ state: 'subscribed', error: null, busy: true })).toMatchObject({
      status: 'working',
      enabled: false,
    });
  });

  it('says why it failed, in the words of the page, and lets the user try again', () => {
    const notConfigured = new PushError('NOT_CONFIGURED', 'The gateway has no Web Push: 404');
    expect(describePush({ state: 'unsubscribed', error: notConfigured, busy: false })).toEqual({
      status: 'error',
      label: 'Error',
      detail: 'The gateway has no Web Push configured.',
      enabled: true,
    });
    const cause = new DOMException('Registration failed - push service not available', 'AbortError');
    const noService = new PushError('PUSH_SERVICE_ERROR', 'failed', { cause });
    expect(describePush({ state: 'unsubscribed', error: noService, busy: false }).detail).toBe(
      'This browser could not subscribe at its push service (Registration failed - push service not available).',
    );
    const httpError = { statusCode: 503, code: 'UNAVAILABLE', message: 'the store does not answer' };
    const unavailable = new PushError('REQUEST_FAILED', 'The gateway answered UNAVAILABLE', { httpError });
    expect(describePush({ state: 'subscribed', error: unavailable, busy: false }).detail).toBe(
      'the store does not answer',
    );
  });

  it('shows a browser block over the failure that found it', () => {
    const denied = new PushError('PERMISSION_DENIED', 'Notifications are blocked for this site');
    expect(describePush({ state: 'denied', error: denied, busy: false }).status).toBe('blocked');
    const dismissed = describePush({ state: 'prompt', error: denied, busy: false });
    expect(dismissed).toMatchObject({ status: 'error', detail: 'Notifications were not allowed.', enabled: true });
  });
});
