// The install script is sh: every value the server puts in it must stay one literal word, even a
// server origin taken from a Host header full of shell syntax.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { installCommand } from './enrolment.ts';
import { loadInstallTemplate, renderInstallScript, serverOrigin, shQuote } from './install-script.ts';
import { sshFingerprint } from './ssh-key-text.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..', '..');
const part = (p: 'agent' | 'runtime') => ({ part: p, path: `/x/${p}`, sha256: 'a'.repeat(64), bytes: 1 });

test('shQuote keeps any text one literal word', () => {
  for (const v of ["it's", "'; rm -rf / #", '$(id)`id`', 'a\nb', '']) {
    assert.equal(execFileSync('sh', ['-c', `printf %s ${shQuote(v)}`]).toString(), v);
  }
});

test('a hostile Host header stays a literal value in the script and in the one-liner', () => {
  const origin = serverOrigin(undefined, 'http', "evil'$(touch${IFS}/tmp/pwned)'.example:8080");
  assert.ok(origin, 'parsed as an origin');
  const script = renderInstallScript(loadInstallTemplate(ROOT), { serverUrl: origin, ticket: 'bwi_' + '0'.repeat(64), localDir: '', agent: part('agent'), runtime: part('runtime'), nodeMajor: 24, interface: '' });
  execFileSync('sh', ['-n'], { input: script });
  const line = /^BW_SERVER=.*$/m.exec(script)![0];
  assert.equal(execFileSync('sh', ['-c', `${line}; printf %s "$BW_SERVER"`]).toString(), origin);
  const cmd = installCommand(origin, 'bwe_' + '1'.repeat(64));
  const url = execFileSync('sh', ['-c', `set -- ${cmd.replace(/^curl -fsSL /, '').replace(/ \| sh$/, '')}; printf %s "$1"`]).toString();
  assert.equal(url, `${origin}/api/agents/install-script?key=bwe_${'1'.repeat(64)}`);
  assert.equal(serverOrigin(undefined, 'http', 'user:pw@host'), null, 'no credentials in an origin');
  assert.equal(serverOrigin('https://bw.example.net/', 'http', 'ignored'), 'https://bw.example.net', 'the public URL wins');
});

test('fingerprints are OpenSSH\'s: SHA256, base64 without padding', () => {
  const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
  assert.match(sshFingerprint(blob), /^SHA256:[A-Za-z0-9+/]{43}$/);
});
