// Renders deploy/install/agent-install.sh for one host. Every value put into the script is
// single-quoted for sh; none comes from the request but the server URL (when no public URL is
// configured), which is checked to be a plain http(s) origin first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleFile } from './install-bundle.ts';

export interface InstallScriptValues {
  serverUrl: string;
  /** The install ticket (one-liner), or '' when an SSH deploy uploaded everything to localDir. */
  ticket: string;
  localDir: string;
  agent: BundleFile;
  runtime: BundleFile;
  nodeMajor: number;
  interface: string;
}

/** A value as one single-quoted sh word. */
export function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export function loadInstallTemplate(rootDir: string): string {
  return readFileSync(join(rootDir, 'deploy', 'install', 'agent-install.sh'), 'utf8');
}

export function renderInstallScript(template: string, v: InstallScriptValues): string {
  const values: Record<string, string> = {
    __SERVER__: v.serverUrl.replace(/\/+$/, ''),
    __TICKET__: v.ticket,
    __LOCAL_DIR__: v.localDir,
    __AGENT_SHA256__: v.agent.sha256,
    __RUNTIME_SHA256__: v.runtime.sha256,
    __NODE_MAJOR__: String(v.nodeMajor),
  };
  let out = template;
  for (const [k, val] of Object.entries(values)) out = out.replaceAll(k, shQuote(val));
  // Inside ${BREAKWATER_INTERFACE:-…} a quoted word keeps its quotes' meaning in POSIX sh.
  return out.replaceAll('__INTERFACE__', v.interface === '' ? '' : shQuote(v.interface));
}

/** The origin a host reaches the server at: the configured public URL, else the request's own. */
export function serverOrigin(publicUrl: string | undefined, protocol: string, host: string): string | null {
  const candidate = publicUrl ?? `${protocol}://${host}`;
  if (!URL.canParse(candidate)) return null;
  const u = new URL(candidate);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username || u.password) return null;
  return publicUrl ? candidate.replace(/\/+$/, '') : u.origin;
}
