import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Delivery } from '@realtime/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer } from './built-server.js';
import { SmtpReceiver } from './fixtures/smtp-receiver.js';
import { http, sign, sleep, startServer, type TestServer } from './helpers.js';
import { createTestDatabase, dropTestDatabases, storeTargets } from './services.js';

/** Short waits, so a test sees a delay and a digest window pass. */
const EMAIL_ENV = {
  EMAIL_DELAY_SECONDS: '1',
  EMAIL_DIGEST_WINDOW_SECONDS: '2',
  OFFLINE_RETRY_BASE_SECONDS: '0.3',
  EMAIL_FROM: 'Realtime <notify@gateway.example.test>',
  APP_URL: 'https://app.example.test',
  PUBLIC_URL: 'https://gateway.example.test',
  EMAIL_TYPE_OPTIONS: JSON.stringify({ security: { digest: false } }),
};

type Target = { url: string };
const service = await sign({ sub: 'backend', role: 'service' });
const receiver = await new SmtpReceiver().start();

afterAll(async () => {
  await receiver.stop();
  await dropTestDatabases();
});

async function publish(server: Target, body: Record<string, unknown>) {
  const res = await http(server as TestServer, 'POST', '/api/notifications', {
    token: service,
    body: { message: 'm', ...body },
  });
  expect(res.status).toBe(201);
  return res.body.notifications as { id: string; userId: string; type: string }[];
}

async function emailOf(server: Target, id: string, settled = true): Promise<Delivery | undefined> {
  for (let i = 0; i < 150; i++) {
    const res = await http(server as TestServer, 'GET', `/api/notifications/${id}/deliveries`, { token: service });
    const email = (res.body.deliveries as Delivery[]).find((d) => d.channel === 'email');
    if (!settled || (email && email.status !== 'pending')) return email;
    await sleep(100);
  }
  throw new Error(`the email delivery of ${id} stayed pending`);
}

/** Waits until `address` has `n` messages (and then a little longer, to see that no more come). */
async function mailsTo(address: string, n: number, quietMs = 1500) {
  for (let i = 0; i < 150 && receiver.to(address).length < n; i++) await sleep(100);
  await sleep(quietMs);
  return receiver.to(address);
}

/** A user whose latest token carries `email`, as the gateway learns it: by a request with that token. */
async function signedIn(server: Target, sub: string, email = `${sub}@mail.example.test`) {
  const token = await sign({ sub, email });
  expect((await http(server as TestServer, 'GET', '/api/preferences', { token })).status).toBe(200);
  for (let i = 0; i < 50; i++) {
    const res = await http(server as TestServer, 'GET', `/api/users/${sub}/email`, { token: service });
    if (res.body.email === email) return { token, email };
    await sleep(50);
  }
  throw new Error(`the email claim of ${sub} was not recorded`);
}

describe.each(storeTargets)('email on the $name store', (target) => {
  let server: TestServer;
  const user = (name: string) => `${name}-${target.name}`;

  beforeAll(async () => {
    server = await startServer({ ...(await target.env()), ...EMAIL_ENV, SMTP_URL: receiver.url });
  });
  afterAll(() => server.close());

  it('sends three notifications of one window as one digest listing three', async () => {
    const { email } = await signedIn(server, user('ada'));
    const sent = [];
    for (const title of ['Build failed', 'Review requested', 'Deploy done']) {
      sent.push(...(await publish(server, { userId: user('ada'), title })));
    }
    const mails = await mailsTo(email, 1);
    expect(mails).toHaveLength(1);
    const { parsed, from } = mails[0]!;
    expect(parsed.subject).toBe('3 new notifications');
    expect(from).toBe('notify@gateway.example.test');
    for (const title of ['Build failed', 'Review requested', 'Deploy done']) {
      expect(parsed.text).toContain(title);
      expect(parsed.html).toContain(title);
    }
    expect(parsed.messageId).toMatch(/^<digest-\d+\.[a-z0-9]{10}@gateway\.example\.test>$/);
    // RFC 8058: both headers, the link https.
    expect(mails[0]!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const list = parsed.headers.get('list') as { unsubscribe: { url: string } };
    expect(list.unsubscribe.url).toMatch(/^https:\/\/gateway\.example\.test\/api\/email\/unsubscribe\?token=[\w.-]+$/);
    for (const n of sent) expect(await emailOf(server, n.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it(
    'leaves out what was read before the delay, and sends nothing when all was read',
    { timeout: 30_000 },
    async () => {
      const { token, email } = await signedIn(server, user('bob'));
      const [a] = await publish(server, { userId: user('bob'), title: 'Kept one' });
      const [b] = await publish(server, { userId: user('bob'), title: 'Read on the phone' });
      const [c] = await publish(server, { userId: user('bob'), title: 'Kept two' });
      expect((await http(server, 'POST', `/api/notifications/${b!.id}/read`, { token })).status).toBe(200);
      const mails = await mailsTo(email, 1);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.parsed.subject).toBe('2 new notifications');
      expect(mails[0]!.parsed.text).toContain('Kept one');
      expect(mails[0]!.parsed.text).toContain('Kept two');
      expect(mails[0]!.parsed.text).not.toContain('Read on the phone');
      expect(await emailOf(server, b!.id)).toMatchObject({ status: 'skipped', reason: 'read', attempts: 0 });
      expect(await emailOf(server, a!.id)).toMatchObject({ status: 'sent' });
      expect(await emailOf(server, c!.id)).toMatchObject({ status: 'sent' });

      const [d] = await publish(server, { userId: user('bob'), title: 'Seen everywhere' });
      const [e] = await publish(server, { userId: user('bob'), title: 'Also seen' });
      // Read after the delay: both wait in an open digest, which is then left with nothing to send.
      await sleep(1600);
      expect((await http(server, 'POST', '/api/notifications/read-all', { token })).status).toBe(200);
      expect(await emailOf(server, d!.id)).toMatchObject({ status: 'skipped', reason: 'read' });
      expect(await emailOf(server, e!.id)).toMatchObject({ status: 'skipped', reason: 'read' });
      await sleep(4000); // past the delay and the window: nothing was left to send
      expect(receiver.to(email)).toHaveLength(1);
    },
  );

  it('keeps digest keys apart, and sends a critical one at once, alone, its markup escaped', async () => {
    const { email } = await signedIn(server, user('cy'));
    await publish(server, { userId: user('cy'), title: 'Thread one, a', offline: { digestKey: 'thread-1' } });
    await publish(server, { userId: user('cy'), title: 'Thread one, b', offline: { digestKey: 'thread-1' } });
    await publish(server, { userId: user('cy'), title: 'Thread two', offline: { digestKey: 'thread-2' } });
    const title = '<script>alert(1)</script> & <b>bold</b>';
    const [critical] = await publish(server, {
      userId: user('cy'),
      title,
      message: '<img src=x onerror=alert(2)>',
      critical: true,
    });
    expect(await emailOf(server, critical!.id)).toMatchObject({ status: 'sent' });
    const alone = receiver.to(email).find((m) => m.parsed.subject === title)!;
    expect(alone.parsed.messageId).toMatch(/^<delivery-\d+\.[a-z0-9]{10}@gateway\.example\.test>$/);
    expect(alone.parsed.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(alone.parsed.html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(alone.parsed.html).not.toMatch(/<script|<b>|<img/);
    expect(alone.parsed.text).toContain(title);

    const mails = await mailsTo(email, 3);
    expect(mails.map((m) => m.parsed.subject).sort()).toEqual([title, '2 new notifications', 'Thread two'].sort());
    const threadOne = mails.find((m) => m.parsed.subject === '2 new notifications')!;
    expect(threadOne.parsed.text).toContain('Thread one, a');
    expect(threadOne.parsed.text).not.toContain('Thread two');
  });

  it('unsubscribes in one click from a real link, and refuses a forged one', async () => {
    const { token, email } = await signedIn(server, user('dee'));
    await publish(server, { userId: user('dee'), type: 'promo', title: 'Sale', critical: true });
    const [mail] = await mailsTo(email, 1, 0);
    const list = mail!.parsed.headers.get('list') as { unsubscribe: { url: string } };
    const link = new URL(list.unsubscribe.url);
    expect(link.origin).toBe('https://gateway.example.test');
    const local = `${link.pathname}${link.search}`;
    expect(mail!.parsed.text).toContain(link.href);

    // Opening the link (as a link scanner would) asks, and changes nothing.
    const page = await http(server, 'GET', local);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.body).toContain('<form method="post">');
    expect((await http(server, 'GET', '/api/preferences', { token })).body.preferences).toEqual({});

    // What a mail client sends for RFC 8058 one-click.
    const forgedToken = link.searchParams.get('token')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const forged = await fetch(`${server.url}/api/email/unsubscribe?token=${forgedToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await http(server, 'GET', '/api/preferences', { token })).body.preferences).toEqual({});

    // RFC 8058 asks mail clients for multipart/form-data; some send urlencoded (as above).
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const done = await fetch(`${server.url}${local}`, { method: 'POST', body: form });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('promo');
    const prefs = (await http(server, 'GET', '/api/preferences', { token })).body.preferences;
    expect(prefs.promo).toMatchObject({ email: false, inApp: true, push: true });
    const [next] = await publish(server, { userId: user('dee'), type: 'promo', title: 'Another sale' });
    expect(await emailOf(server, next!.id)).toMatchObject({ status: 'skipped', reason: 'preference' });
  });

  it('records a 5xx refusal as failed with the reply, and waits through quiet hours', async () => {
    const { email } = await signedIn(server, user('eve'));
    receiver.refuse.add(email);
    const [bounced] = await publish(server, { userId: user('eve'), title: 'Nobody home', critical: true });
    const failed = await emailOf(server, bounced!.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed!.lastError).toMatch(/550.*mailbox unavailable/);
    receiver.refuse.delete(email);

    const { token } = await signedIn(server, user('fay'));
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    const now = Date.now();
    const quietHours = { start: hhmm(new Date(now - 3600_000)), end: hhmm(new Date(now + 3600_000)), timeZone: 'UTC' };
    const put = await http(server, 'PUT', '/api/preferences', { token, body: { quietHours } });
    expect(put.status).toBe(200);
    expect(put.body.quietHours).toEqual(quietHours);
    // One that goes alone (its type has no digests) waits until they end; one for a digest waits in it.
    const [held] = await publish(server, { userId: user('fay'), type: 'security', title: 'At night' });
    const [digested] = await publish(server, { userId: user('fay'), title: 'Also at night' });
    const [urgent] = await publish(server, { userId: user('fay'), title: 'Urgent at night', critical: true });
    expect(await emailOf(server, urgent!.id)).toMatchObject({ status: 'sent' });
    await sleep(4000); // past the delay and the digest's window
    expect(receiver.to(`${user('fay')}@mail.example.test`)).toHaveLength(1);
    expect(await emailOf(server, digested!.id, false)).toMatchObject({ status: 'pending', attempts: 0 });
    const waiting = await emailOf(server, held!.id, false);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 0 });
    const end = new Date(now + 3600_000);
    end.setUTCSeconds(0, 0);
    expect(new Date(waiting!.dueAt).getTime()).toBe(end.getTime());
  });

  it('sends to the address a service set, and writes no email for a user without one', async () => {
    const res = await http(server, 'PUT', `/api/users/${user('gus')}/email`, {
      token: service,
      body: { email: `gus-${target.name}@elsewhere.example.test` },
    });
    expect(res.body).toEqual({
      userId: user('gus'),
      email: `gus-${target.name}@elsewhere.example.test`,
      source: 'api',
    });
    const [n] = await publish(server, { userId: user('gus'), title: 'Routed', critical: true });
    expect(await emailOf(server, n!.id)).toMatchObject({ status: 'sent' });
    expect(receiver.to(`gus-${target.name}@elsewhere.example.test`)).toHaveLength(1);
    const bad = await http(server, 'PUT', `/api/users/${user('gus')}/email`, {
      token: service,
      body: { email: 'nope' },
    });
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
    const asUser = await http(server, 'PUT', `/api/users/${user('gus')}/email`, {
      token: await sign({ sub: user('gus') }),
      body: { email: 'mine@example.test' },
    });
    expect(asUser.status).toBe(403);

    const [nobody] = await publish(server, { userId: user('nobody'), title: 'No address', critical: true });
    expect(await emailOf(server, nobody!.id, false)).toBeUndefined();
  });

  it('delivers once when the mail server was down and comes back', async () => {
    const { email } = await signedIn(server, user('hal'));
    await receiver.stop();
    try {
      const [n] = await publish(server, { userId: user('hal'), title: 'Through the outage' });
      await publish(server, { userId: user('hal'), title: 'And another' });
      let tried: Delivery | undefined;
      for (let i = 0; i < 100 && !tried?.lastError; i++) {
        tried = await emailOf(server, n!.id, false);
        await sleep(100);
      }
      expect(tried).toMatchObject({ status: 'pending' });
      expect(tried!.attempts).toBeGreaterThanOrEqual(1);
    } finally {
      await receiver.start();
    }
    const mails = await mailsTo(email, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.subject).toBe('2 new notifications');
  });

  it('lists ten of a larger digest with the exact total, and sends a type without digests alone', async () => {
    const { email } = await signedIn(server, user('ivy'));
    for (let i = 1; i <= 12; i++) await publish(server, { userId: user('ivy'), title: `Item ${i}` });
    const [alone] = await publish(server, { userId: user('ivy'), type: 'security', title: 'New sign-in' });
    const mails = await mailsTo(email, 2);
    expect(mails.map((m) => m.parsed.subject).sort()).toEqual(['12 new notifications', 'New sign-in']);
    const digest = mails.find((m) => m.parsed.subject === '12 new notifications')!.parsed;
    for (let i = 1; i <= 10; i++) expect(digest.text).toContain(`Item ${i}\n`);
    expect(digest.text).not.toContain('Item 11');
    expect(digest.text).toContain('...and 2 more');
    expect(digest.html).toContain('and 2 more');
    expect(await emailOf(server, alone!.id)).toMatchObject({ status: 'sent' });
  });
});

describe.skipIf(!storeTargets.some((t) => t.name === 'postgres'))('email from two processes', () => {
  it('sends each digest once when two processes share the store', async () => {
    const env = { ...EMAIL_ENV, DATABASE_URL: await createTestDatabase(), SMTP_URL: receiver.url };
    const [a, b] = [await startServer(env), await startServer(env)];
    try {
      const users = Array.from({ length: 8 }, (_, i) => `pair-${i}`);
      for (const u of users) await signedIn(u.endsWith('1') ? b : a, u);
      for (const round of [1, 2]) {
        await publish(a, { userIds: users, title: `Round ${round}` });
        await publish(b, { userIds: users, title: `Round ${round}, again` });
      }
      for (const u of users) {
        const mails = await mailsTo(`${u}@mail.example.test`, 1, 0);
        expect(mails.map((m) => m.parsed.subject)).toEqual(['4 new notifications']);
      }
      await sleep(2000);
      for (const u of users) expect(receiver.to(`${u}@mail.example.test`)).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe.each(storeTargets)('an email digest through a crash, on the $name store', (target) => {
  // Two starts of the built server, the first creating the store: more than the default timeout on a busy machine.
  it('is sent once after a SIGKILL in the middle of its window', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-email-crash-'));
    const env = {
      ...(target.name === 'postgres' ? { DATABASE_URL: await createTestDatabase() } : { DATA_DIR: dir }),
      ...EMAIL_ENV,
      EMAIL_DIGEST_WINDOW_SECONDS: '4',
      SMTP_URL: receiver.url,
    };
    const victim = `crash-${target.name}`;
    try {
      const first = await spawnServer(env);
      await signedIn(first, victim);
      const [a] = await publish(first, { userId: victim, title: 'Before the crash, one' });
      await publish(first, { userId: victim, title: 'Before the crash, two' });
      // Past the delay: both wait in an open digest whose window has seconds to run.
      await sleep(2000);
      expect((await emailOf(first, a!.id, false))?.status).toBe('pending');
      expect(first.lines.filter((l) => l.includes('waits in digest'))).toHaveLength(2);
      expect(receiver.to(`${victim}@mail.example.test`)).toHaveLength(0);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = await spawnServer(env);
      try {
        const mails = await mailsTo(`${victim}@mail.example.test`, 1, 2500);
        expect(mails).toHaveLength(1);
        expect(mails[0]!.parsed.subject).toBe('2 new notifications');
        expect(await emailOf(second, a!.id)).toMatchObject({ status: 'sent', attempts: 1 });
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the development mailbox', () => {
  it('keeps what a server without SMTP_URL sends, shown only with DEV_TOKENS', { timeout: 60_000 }, async () => {
    const server = await startServer({ ...EMAIL_ENV, DEV_TOKENS: 'true' });
    try {
      await signedIn(server, 'grace');
      await publish(server, { userId: 'grace', title: 'One' });
      await publish(server, { userId: 'grace', title: 'Two' });
      let messages: { subject: string; notifications: number; to: string; html: string; unsubscribeUrl: string }[] = [];
      for (let i = 0; i < 100 && messages.length === 0; i++) {
        await sleep(100);
        messages = (await http(server, 'GET', '/api/dev/mailbox?userId=grace')).body.messages;
      }
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        subject: '2 new notifications',
        notifications: 2,
        to: 'grace@mail.example.test',
      });
      expect(messages[0]!.html).toContain('Two');
      expect(messages[0]!.unsubscribeUrl).toMatch(/^https:\/\/gateway\.example\.test\/api\/email\/unsubscribe\?token=/);
      expect((await http(server, 'GET', '/api/dev/mailbox')).status).toBe(400);
    } finally {
      await server.close();
    }
    // Without DEV_TOKENS, and with an SMTP server (where the emails go instead), there is no mailbox.
    for (const env of [EMAIL_ENV, { ...EMAIL_ENV, DEV_TOKENS: 'true', SMTP_URL: receiver.url }]) {
      const other = await startServer(env);
      try {
        expect((await http(other, 'GET', '/api/dev/mailbox?userId=grace')).status).toBe(404);
      } finally {
        await other.close();
      }
    }
  });
});
