import { AppError, type AuthContext, type Services } from '@rungate/governance';
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';

export interface TrpcContext {
  services: Services;
  /** Null when the request carried no valid credentials. */
  auth: AuthContext | null;
  /** Set when credentials were present but refused for a reason worth telling (e.g. unscoped bootstrap). */
  authError: AppError | null;
}

const TRPC_CODE: Record<AppError['code'], TRPC_ERROR_CODE_KEY> = {
  validation_error: 'BAD_REQUEST',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  gone: 'NOT_FOUND',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  rate_limited: 'TOO_MANY_REQUESTS',
  internal_error: 'INTERNAL_SERVER_ERROR',
  service_unavailable: 'SERVICE_UNAVAILABLE',
};

const t = initTRPC.context<TrpcContext>().create({
  // Never send stack traces to clients, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Forms read field errors straight from here.
        fields:
          cause instanceof ZodError
            ? cause.flatten().fieldErrors
            : cause instanceof AppError
              ? (cause.fields ?? null)
              : null,
      },
    };
  },
});

export const router = t.router;

/** Service errors become tRPC errors with the matching code, so clients see 404/409, not 500. */
const serviceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(serviceErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.auth) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  return next({ ctx: { ...ctx, auth: ctx.auth } });
});

export const readProcedure = authedProcedure.use(({ ctx, next }) => {
  ctx.services.auth.requireScope(ctx.auth, 'read');
  return next();
});

export const writeProcedure = authedProcedure.use(({ ctx, next }) => {
  ctx.services.auth.requireScope(ctx.auth, 'write');
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  ctx.services.auth.requireScope(ctx.auth, 'admin');
  return next();
});
