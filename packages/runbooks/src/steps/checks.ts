// Save-time checks shared by the step types: every templated field parses and names only known variables.
import { parseTemplate } from '../template.ts';

export function templateProblems(fields: Record<string, string | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, source] of Object.entries(fields)) {
    if (source === undefined) continue;
    try {
      parseTemplate(source);
    } catch (err) {
      out.push([key, (err as Error).message]);
    }
  }
  return out;
}
