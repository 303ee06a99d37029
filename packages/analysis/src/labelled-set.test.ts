// The classifier over the labelled capture set (fixtures/labelled, made by make-labelled.sh with
// hping3, tcpreplay, curl and dig in namespaces): every capture gets its label, a bare-ACK or
// PSH-ACK flood of forged sources to port 443 stays a flag flood, and the confusion matrix in
// README.md is the one this run produces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { confusionMarkdown, readLabelledSet, readmeSection, runLabelledSet, type LabelledResult } from './labelled-set.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
let rows: LabelledResult[] = [];

describe('labelled capture set', () => {
  before(async () => {
    rows = await runLabelledSet();
  });

  for (const [name, c] of Object.entries(readLabelledSet().captures)) {
    test(`${name} (${c.made_with}) → ${c.label}`, () => {
      const r = rows.find((x) => x.name === name);
      assert.ok(r, `${name} was analysed`);
      assert.deepEqual([r.got, ...r.others], [c.label], r.explanation);
    });
  }

  test('hping3 -A -p 443 --rand-source is an ACK flood, not https_flood, and says why', () => {
    const r = rows.find((x) => x.name === 'ack-443-rand')!;
    assert.match(r.explanation, /pure ACK 100\.0% of TCP packets to web ports, not HTTP \(requests \(PSH\) 0\.0% < 10\.0%, 1\.0\d packets per source per tick < 1\.5: no handshakes\) → ack_flood/);
    const psh = rows.find((x) => x.name === 'psh-ack-443-rand')!;
    assert.match(psh.explanation, /not HTTP \(1\.0\d packets per source per tick < 1\.5: no handshakes\) → psh_ack_flood/);
  });

  test('the confusion matrix in README.md is the one this run gives (node packages/analysis/scripts/labelled-set.ts --write)', () => {
    assert.equal(readmeSection(readFileSync(README, 'utf8')), confusionMarkdown(rows));
  });
});
