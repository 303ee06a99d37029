// The one error type. Everything a route refuses is an AppError; the error handler
// in app.ts is the only place that turns errors into the envelope.
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string, code = 'validation_error') => new AppError(400, code, message);
export const unauthorized = (message = 'Missing or invalid credentials') => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, code = 'conflict') => new AppError(409, code, message);
export const paymentRequired = (message: string) => new AppError(402, 'payment_required', message);
export const tooLarge = (message: string) => new AppError(413, 'payload_too_large', message);
