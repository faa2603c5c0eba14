import type { AppRouter } from '@rungate/api';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { getToken, signOut } from './session.ts';

export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** A client that sends `token`, or the signed-in token when none is given. */
export function createClient(token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: '/trpc',
        headers() {
          const bearer = token ?? getToken();
          return bearer ? { authorization: `Bearer ${bearer}` } : {};
        },
      }),
    ],
  });
}

export function isTrpcError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export function httpStatusOf(error: unknown): number | undefined {
  return isTrpcError(error) ? error.data?.httpStatus : undefined;
}

/** A rejected token ends the session wherever it surfaces, so no screen has to handle it. */
function endSessionOn401(error: unknown): void {
  if (httpStatusOf(error) === 401) signOut('Your admin token was not accepted. Sign in again.');
}

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: endSessionOn401 }),
  mutationCache: new MutationCache({ onError: endSessionOn401 }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // 4xx answers will not change on a retry.
      retry: (failures, error) => (httpStatusOf(error) ?? 500) >= 500 && failures < 2,
    },
  },
});

export const trpcClient = createClient();

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
