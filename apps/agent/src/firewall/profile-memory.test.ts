// The profile firewalls' memory of the state before each apply: written to the spool dir after
// each change (0600, no temporary file left), read back by a new instance, and a file that is not
// one (damaged, or another suite's) refused with its path named: the agent then keeps profiles off.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createProfileCommands } from './profile-commands.ts';
import { ProfileMemory, profileMemoryFile } from './profile-memory.ts';

test('profile memory: survives a new instance, private and whole on disk; a damaged file is refused by name and profiles stay off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-profile-memory-'));
  try {
    const file = profileMemoryFile(dir, 'nftables');
    const m = new ProfileMemory<string | null>('nftables', file);
    m.push(null);
    m.push('table inet bw_profile { }');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['profile-previous-nftables.json'], 'no temporary file left');

    const again = new ProfileMemory<string | null>('nftables', file);
    assert.equal(again.size, 2);
    assert.equal(again.top(), 'table inet bw_profile { }');
    again.pop();
    assert.equal(new ProfileMemory<string | null>('nftables', file).top(), null, 'the pop is on disk too');

    assert.throws(() => new ProfileMemory('iptables', file), new RegExp(`${file}: not a saved iptables profile state`));
    writeFileSync(file, '{"suite":"nftables","previous":[');
    assert.throws(() => new ProfileMemory('nftables', file), /the saved firewall state cannot be read/);
    const logs: string[] = [];
    assert.equal(await createProfileCommands('nftables', async () => [], (l) => logs.push(l), dir), null);
    assert.match(logs.join('\n'), /firewall profiles unavailable: .*profile-previous-nftables\.json: the saved firewall state cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
