import { describe, expect, it } from 'vitest';
import { smtpResult } from './email.sender.js';
import { renderEmail } from './templates.js';

const item = (title: string, type = 'info') => ({
  title,
  message: `About ${title}`,
  type,
  createdAt: '2026-12-07T10:00:00.000Z',
  url: 'https://app.example.test/',
});

describe('smtpResult', () => {
  it('fails for good on a 5xx refusal of the recipient or the message, with the reply', () => {
    const refused = Object.assign(new Error("Can't send mail - all recipients were rejected"), {
      code: 'EENVELOPE',
      responseCode: 550,
      response: '550 5.1.1 <x@y>: mailbox unavailable',
    });
    expect(smtpResult(refused)).toEqual({ status: 'failed', error: '550 5.1.1 <x@y>: mailbox unavailable' });
    const data = Object.assign(new Error('Message failed'), {
      code: 'EMESSAGE',
      responseCode: 554,
      response: '554 spam',
    });
    expect(smtpResult(data)).toEqual({ status: 'failed', error: '554 spam' });
  });

  it('tries again on 4xx, on a refused login or greeting, and without an answer', () => {
    const busy = Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode: 451, response: '451 try later' });
    expect(smtpResult(busy)).toMatchObject({ status: 'retry', error: 'EENVELOPE: 451 try later' });
    const login = Object.assign(new Error('x'), { code: 'EAUTH', responseCode: 535, response: '535 bad credentials' });
    expect(smtpResult(login)).toMatchObject({ status: 'retry' });
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' });
    expect(smtpResult(down)).toMatchObject({ status: 'retry', error: 'ESOCKET: connect ECONNREFUSED 127.0.0.1:2525' });
  });
});

describe('renderEmail', () => {
  it('escapes every field in HTML and keeps the text as given', () => {
    const mail = renderEmail({
      items: [{ ...item('<b>"x"</b> & y'), url: 'https://app.example.test/?a=1&b="2"' }],
      total: 1,
      appUrl: 'https://app.example.test',
      unsubscribeUrl: 'https://gw.example.test/api/email/unsubscribe?token=a.b',
    });
    expect(mail.subject).toBe('<b>"x"</b> & y');
    expect(mail.html).toContain('&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; y');
    expect(mail.html).toContain('href="https://app.example.test/?a=1&amp;b=&quot;2&quot;"');
    expect(mail.html).not.toContain('<b>');
    expect(mail.text).toContain('<b>"x"</b> & y');
  });

  it('says the exact total of a digest and how many it does not list', () => {
    const items = Array.from({ length: 10 }, (_, i) => item(`T${i}`, i % 2 ? 'a' : 'b'));
    const mail = renderEmail({ items, total: 23, appUrl: 'https://app.example.test', unsubscribeUrl: 'u' });
    expect(mail.subject).toBe('23 new notifications');
    expect(mail.text).toContain('You have 23 new notifications.');
    expect(mail.text).toContain('...and 13 more: https://app.example.test');
    expect(mail.html).toContain('…and 13 more');
    expect(mail.text).toContain('Stop emails about these notifications: u');
  });

  it('cuts a long title and message by code points, never inside an emoji', () => {
    const mail = renderEmail({
      items: [{ ...item('🎉'.repeat(200)), message: '🎉'.repeat(600) }],
      total: 1,
      appUrl: 'https://a',
      unsubscribeUrl: 'u',
    });
    expect([...mail.subject]).toHaveLength(150);
    expect(mail.subject.endsWith('…')).toBe(true);
    expect(mail.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
