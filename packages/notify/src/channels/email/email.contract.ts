import assert from 'node:assert/strict';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { ChannelContract } from '../../testing/channel-contract.ts';
import type { FakeMode, FakeServer } from '@breakwater/outbound/testing';

const USER = 'alerts';
const PASS = 'smtp-pass-0123456789';

export interface ReceivedMail {
  from: string;
  to: string[];
  user: unknown;
  mail: ParsedMail;
}

const fail = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/** A real SMTP server (smtp-server) on 127.0.0.1 that checks what a mail relay would. */
async function startSmtpFake(): Promise<FakeServer<ReceivedMail>> {
  const received: ReceivedMail[] = [];
  const problems: string[] = [];
  const state = { mode: 'ok' as FakeMode, hung: 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 50,
    logger: false,
    onConnect(_session, cb) {
      if (state.mode === 'hang') { state.hung++; return; } // no greeting, ever
      cb();
    },
    onAuth(auth, _session, cb) {
      // The reply names the credential, as careless relays do: the channel must not repeat it.
      if (state.mode === 'unauthorized' || auth.username !== USER || auth.password !== PASS) return cb(fail(535, `5.7.8 Authentication failed for ${auth.username}:${auth.password}`));
      cb(null, { user: auth.username });
    },
    onMailFrom(address, _session, cb) {
      if (state.mode === 'rate_limited') return cb(fail(421, '4.7.0 Too many messages, try again later'));
      if (address.address !== 'breakwater@example.net') problems.push(`MAIL FROM ${address.address}`);
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (state.mode === 'bad_request') return cb(fail(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
      cb();
    },
    onData(stream, session: SMTPServerSession, cb) {
      simpleParser(stream).then((mail) => {
        if (state.mode === 'server_error') return cb(fail(451, '4.3.0 Temporary local problem, please try again'));
        const rec: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          mail,
        };
        if (rec.user !== USER) problems.push('not authenticated');
        if (!mail.subject) problems.push('no Subject');
        if (!mail.text) problems.push('no text part');
        if (!mail.html) problems.push('no html part');
        if (!mail.messageId) problems.push('no Message-ID');
        received.push(rec);
        cb(null, `2.0.0 Ok: queued as ${received.length}`);
      }, (err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    get mode() { return state.mode; },
    set mode(m: FakeMode) { state.mode = m; },
    received,
    problems,
    hanging: () => state.hung,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const emailContract: ChannelContract<'email', ReceivedMail> = {
  type: 'email',
  start: startSmtpFake,
  config: (host) => ({ to: ['noc@example.com', 'oncall@example.com'], from: 'breakwater@example.net', smtp_url: `smtp://${USER}:${PASS}@${host}` }),
  secrets: (c) => [PASS, c.smtp_url ?? ''],
  successStatus: 250,
  failureStatus: { server_error: 451, rate_limited: 421, bad_request: 550, unauthorized: 535 },
  // SMTP has no Retry-After; 421 is a plain temporary failure.
  retryAfterMs: null,
  assertOpened(r, n) {
    assert.deepEqual(r.to, ['noc@example.com', 'oncall@example.com']);
    assert.equal(r.mail.subject, `[Breakwater] Attack detected: udp_flood (ntp_amplification) on edge-<1>&"a" (203.0.113.5) — HIGH`);
    assert.equal(r.mail.messageId, `<incident-${n.incident.uuid}@breakwater>`);
    assert.ok(r.mail.text?.includes(n.incident.summary));
    assert.ok(typeof r.mail.html === 'string' && r.mail.html.includes('&lt;script&gt;') && !r.mail.html.includes('<script>'), 'html escaped');
    assert.equal(r.mail.headers.get('x-breakwater-incident'), n.incident.uuid);
  },
  assertResolved(r, opened) {
    assert.ok(r.mail.subject?.includes('Attack ended'));
    assert.equal(r.mail.inReplyTo, opened.mail.messageId, 'threads under the opened mail');
  },
};
