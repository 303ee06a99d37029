// Country of a source address: the `maxmind` reader over @ip-location-db/geo-whois-asn-country-mmdb
// (one IPv4+IPv6 file of `{ country_code }` records). Addresses without a record — private,
// reserved, documentation and unallocated ranges — give null, which the tick aggregator counts as
// "??". The reader is opened once per process and per file: it is read-only and 8 MB.
import { createRequire } from 'node:module';
import type { CountryResponse } from 'maxmind';
import type { GeoLookup } from '@breakwater/packets';

export const GEO_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
export const GEO_FILE = 'geo-whois-asn-country.mmdb';

export interface GeoSource {
  lookup: GeoLookup | undefined;
  /** What the countries come from, for the report. */
  source: string;
  /** Set when there is no lookup, or a caveat about the data. */
  note: string | undefined;
}

const opened = new Map<string, Promise<GeoSource>>();

export function defaultGeoDatabase(): string {
  return createRequire(import.meta.url).resolve(`${GEO_PACKAGE}/${GEO_FILE}`);
}

async function open(path: string, label: string): Promise<GeoSource> {
  try {
    const maxmind = await import('maxmind');
    // ip-location-db records are `{ country_code }`, not MaxMind's `{ country: { iso_code } }`.
    const reader = await maxmind.open<CountryResponse>(path);
    const lookup: GeoLookup = (ip) => (reader.get(ip) as { country_code?: string } | null)?.country_code ?? null;
    return { lookup, source: label, note: undefined };
  } catch (err) {
    return { lookup: undefined, source: 'none', note: `GeoIP database ${path} is unusable (${(err as Error).message}); countries are not reported` };
  }
}

/** The bundled database, or `path`; never rejects (no database → no countries, with a note). */
export function openGeo(path?: string): Promise<GeoSource> {
  let file: string;
  let label: string;
  try {
    file = path ?? defaultGeoDatabase();
    label = path === undefined ? `${GEO_PACKAGE} (${GEO_FILE}, CC BY 4.0 NRO data; unallocated/private/reserved → "??")` : file;
  } catch (err) {
    return Promise.resolve({ lookup: undefined, source: 'none', note: `${GEO_PACKAGE} is not installed (${(err as Error).message}); countries are not reported` });
  }
  let p = opened.get(file);
  if (p === undefined) {
    p = open(file, label);
    opened.set(file, p);
  }
  return p;
}
