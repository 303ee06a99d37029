export const CAPTURE_ERROR_CODES = [
  'empty',
  'bad-magic',
  'unsupported-version',
  'truncated',
  'record-too-large',
  'bad-block-length',
  'unknown-interface',
  'unsupported-tsresol',
  'reader-closed',
] as const;
export type CaptureErrorCode = (typeof CAPTURE_ERROR_CODES)[number];

/** A capture file or stream the reader cannot go on with; `offset` is the byte where it stopped. */
export class CaptureError extends Error {
  readonly code: CaptureErrorCode;
  readonly offset: number;

  constructor(code: CaptureErrorCode, message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'CaptureError';
    this.code = code;
    this.offset = offset;
  }
}
