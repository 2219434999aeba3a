import { z } from 'zod';
import { ErrorCode } from '../errors.js';

/**
 * The codes of the gateway's error envelope: the platform's codes plus the one only the HTTP edge can
 * raise (a body in a media type the API does not read). No service behind the gateway produces it, so
 * it is not part of the platform's vocabulary (ErrorCode).
 */
export const HttpErrorCode = z.enum([...ErrorCode.options, 'UNSUPPORTED_MEDIA_TYPE']);
export type HttpErrorCode = z.infer<typeof HttpErrorCode>;

/** The one JSON error body of the gateway, whatever refused the request (docs/api.md, "Errors"). */
export const ErrorEnvelope = z.object({
  code: HttpErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  requestId: z.string(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
