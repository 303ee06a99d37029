import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@breakwater/testing';
import { TickLoop } from './tick-loop.ts';

test('a tick loop runs at once, never overlaps itself, survives a failing pass, and stop() waits for the pass in progress', async () => {
  let running = 0;
  let overlapped = false;
  let passes = 0;
  const errors: unknown[] = [];
  let release: (() => void) | null = null;
  const loop = new TickLoop(async () => {
    running++;
    if (running > 1) overlapped = true;
    passes++;
    if (passes === 2) {
      running--;
      throw new Error('pass 2 failed');
    }
    if (passes === 4) await new Promise<void>((r) => (release = r));
    running--;
  }, 5, (e) => errors.push(e));
  loop.start();
  loop.start(); // a second start does not make a second loop
  await waitFor('four passes', () => (passes >= 4 && release ? true : undefined), 5000, 2);
  let stopped = false;
  const stopping = loop.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(stopped, false, 'stop() waits for the pass in progress');
  release!();
  await stopping;
  const after = passes;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(passes, after, 'no pass after stop()');
  assert.equal(overlapped, false);
  assert.deepEqual(errors.map((e) => (e as Error).message), ['pass 2 failed']);
  // Started again, it runs again.
  loop.start();
  await waitFor('a pass after the restart', () => (passes > after ? true : undefined), 5000, 2);
  await loop.stop();
});
