// One interface for every way Breakwater mitigates: BGP speakers it drives (GoBGP, ExaBGP,
// BIRD 2, FRR) and appliances or clouds it calls over HTTP. The server owns the stored state
// (which rules should be active); an adapter only makes a speaker or provider match it.
import type { AdapterType, Capability, OutboundReach, RuleSpec } from '@breakwater/contracts';
import type { FetchLike, Resolver } from '@breakwater/outbound';

export interface AdapterConfig {
  /** How to reach it: a gRPC host:port, a socket path, a URL — each adapter says which. */
  endpoint: string;
  /** API key or token, when the adapter needs one. Never logged, never returned by the API in full. */
  authToken: string | null;
  /** Adapter-specific settings (ASN, next hop, communities, zone id, …); the adapter validates them. */
  options: Record<string, unknown>;
}

export interface AdapterDeps {
  /** ms since the epoch. */
  now: () => number;
  /** HTTP adapters send through this: undici's fetch unless a test wraps one (passing `init` through). */
  fetch?: FetchLike;
  /** Non-public ranges this adapter may reach (the operator's outbound config for its type); none by default. */
  reach?: readonly OutboundReach[];
  /** DNS for outbound calls (tests answer names themselves); the system resolver by default. */
  resolve?: Resolver;
  /** Programs, files and sockets on this host, from the server's config: never from the API. */
  local?: Partial<LocalPaths>;
  /** Deadline for one operation against the speaker or provider, ms. */
  timeoutMs: number;
  log?: (msg: string, detail?: Record<string, unknown>) => void;
}

/** Where the BGP adapters find what they run, write and connect to on this host. */
export interface LocalPaths {
  /** birdc: an absolute path, or a name looked up on PATH. */
  birdc: string;
  /** The directory the bird2 adapter writes its include files in. */
  birdIncludeDir: string;
  /** Directories the control sockets (BIRD, bgpd's vty, the ExaBGP bridge, gobgpd's unix API) may be in. */
  socketDirs: readonly string[];
}

/** A rule as the server keeps it: the id is the server's, stable for the rule's life. */
export interface AnnouncedRule {
  id: string;
  spec: RuleSpec;
}

export interface ConnectivityResult {
  ok: boolean;
  latency_ms: number;
  message: string;
}

export interface MitigationAdapter {
  readonly type: AdapterType;
  /** What this implementation can carry; the server refuses other intents for it. */
  readonly capabilities: readonly Capability[];
  /** Checks the options and opens connections. Throws AdapterError with a message naming the key. */
  start(): Promise<void>;
  /** Idempotent: announcing what is already announced succeeds. Throws AdapterError on failure. */
  announce(rule: AnnouncedRule): Promise<void>;
  /** Idempotent: withdrawing what is absent succeeds. */
  withdraw(rule: AnnouncedRule): Promise<void>;
  /**
   * What the speaker or provider has now, as canonical keys (ruleKey) of the rules this adapter
   * announced; null when it cannot be asked (then reconciliation re-announces, which is idempotent).
   */
  present(): Promise<Set<string> | null>;
  /** Reachability and authentication, with the round-trip time. Never throws. */
  test(): Promise<ConnectivityResult>;
  stop(): Promise<void>;
}

/** Every adapter failure is one of these; retryable says whether the same call may succeed later. */
export class AdapterError extends Error {
  readonly retryable: boolean;
  /**
   * The setting the failure is about ("options.asn", "endpoint", "auth_token"), when it is one of
   * the adapter's settings: the API answers those with a 400 naming the key.
   */
  readonly key: string | undefined;
  constructor(message: string, retryable: boolean, key?: string) {
    super(message);
    this.name = 'AdapterError';
    this.retryable = retryable;
    this.key = key;
  }

  /** A failure about one setting: the message is "key: what", what says what is allowed. */
  static about(key: string, what: string, retryable = false): AdapterError {
    return new AdapterError(`${key}: ${what}`, retryable, key);
  }
}

export type AdapterFactory = (config: AdapterConfig, deps: AdapterDeps) => MitigationAdapter;
