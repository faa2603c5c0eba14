import { errorStatus as contractErrorStatus } from '@rungate/contracts';

/**
 * One error taxonomy for every transport. Services throw `AppError`; each transport maps
 * `code` to a status and to the spec's error shape in one handler.
 */
export const errorStatus = {
  ...contractErrorStatus,
  /** An invitation or link that existed but is no longer usable. */
  gone: 410,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options?: { fields?: Record<string, string>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.fields = options?.fields;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const invalid = (message: string, fields?: Record<string, string>) =>
  new AppError('validation_error', message, fields ? { fields } : undefined);
