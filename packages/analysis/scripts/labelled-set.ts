// Runs the classifier over the labelled capture set and prints the confusion matrix;
// `--write` puts it into packages/analysis/README.md (labelled-set.test.ts checks it is current).
//   node packages/analysis/scripts/labelled-set.ts [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { confusionMarkdown, runLabelledSet, withSection } from '../src/labelled-set.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const md = confusionMarkdown(await runLabelledSet());
if (process.argv.includes('--write')) {
  writeFileSync(README, withSection(readFileSync(README, 'utf8'), md));
  process.stderr.write(`written to ${README}\n`);
} else {
  process.stdout.write(`${md}\n`);
}
