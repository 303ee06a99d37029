// One interface for every access log format: a line in, one request or null (not a request line)
// out. A parser never throws and keeps only capped strings; the tailer counts what it rejects.
import type { HttpCustomField, HttpLogFormat, HttpRequestRecord } from '@breakwater/contracts';

export type LogLineParser = (line: string) => HttpRequestRecord | null;

/** A `custom` format: its fields in order, split on spaces (with "quoted"/[bracketed] groups) or on tabs. */
export interface CustomFormat {
  fields: HttpCustomField[];
  separator: 'space' | 'tab';
}

export type LogParserFactory = (custom: CustomFormat | undefined) => LogLineParser;
export type { HttpLogFormat };
