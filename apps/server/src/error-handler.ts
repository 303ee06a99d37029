// The one place where errors become the envelope { ok:false, error:{ code, message } }.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorObject } from 'ajv';
import { AppError } from './errors.ts';
import { validationMessage } from './validation.ts';

const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'Request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'Request body is empty; send a JSON object' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_PARTS_LIMIT: { status: 413, code: 'payload_too_large' },
  FST_FILES_LIMIT: { status: 413, code: 'payload_too_large', message: 'Only one file per upload' },
  FST_FIELDS_LIMIT: { status: 413, code: 'payload_too_large' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Expected multipart/form-data' },
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validation?: ErrorObject[]; validationContext?: string }, req, reply) => {
    let status = 500;
    let code = 'internal_error';
    let message = 'Internal server error';
    if (err instanceof AppError) {
      ({ status, code, message } = err);
    } else if (err.validation) {
      status = 400;
      code = 'validation_error';
      message = validationMessage(err.validationContext ?? 'body', err.validation);
    } else if (err.code && FASTIFY_CODES[err.code]) {
      const m = FASTIFY_CODES[err.code]!;
      status = m.status;
      code = m.code;
      message = m.message ?? err.message;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      code = 'bad_request';
      message = err.message;
    }
    if (status >= 500) req.log.error({ err }, 'request failed');
    void reply.status(status).send({ ok: false, error: { code, message } });
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ ok: false, error: { code: 'not_found', message: `No route for ${req.method} ${req.url.split('?')[0]}` } });
  });
}
