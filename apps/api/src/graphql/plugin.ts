import { AppError, type AuthContext, type Services } from '@rungate/governance';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { readCredentials } from '../plugins/dashboard-auth.ts';
import { queryLimitsRule } from './limits.ts';
import { schema } from './schema.ts';

/**
 * graphql-yoga may raise errors from the other build of `graphql` (CJS vs ESM), where
 * `instanceof GraphQLError` is false; recognise them by name instead.
 */
const isGraphQLError = (error: unknown): error is GraphQLError =>
  error instanceof Error && error.name === 'GraphQLError';

/** Service errors keep their message and code; anything else is masked. */
function maskError(error: unknown, message: string): Error {
  const original = isGraphQLError(error) ? error.originalError : error;
  if (original instanceof AppError) return new GraphQLError(original.message, { extensions: { code: original.code } });
  if (isGraphQLError(error) && !error.originalError) return error;
  return new GraphQLError(message, { extensions: { code: 'internal_error' } });
}

const queryLimits: Plugin = { onValidate: ({ addValidationRule }) => addValidationRule(queryLimitsRule) };

/** Mounts graphql-yoga at /graphql behind the dashboard's auth (read scope). */
export function registerGraphql(app: FastifyInstance, services: Services): void {
  const yoga = createYoga<{ req: FastifyRequest; reply: FastifyReply; auth: AuthContext }, { services: Services }>({
    schema,
    logging: false,
    graphiql: false,
    maskedErrors: { maskError },
    plugins: [queryLimits],
    context: () => ({ services }),
  });

  app.route({
    url: yoga.graphqlEndpoint,
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const auth = await services.auth.authenticateDashboard(readCredentials(req));
      if (!auth) return reply.status(401).send({ error: 'Authentication required' });
      services.auth.requireScope(auth, 'read');
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply, auth });
      response.headers.forEach((value, key) => {
        reply.header(key, value);
      });
      reply.status(response.status);
      return reply.send(response.body);
    },
  });
}
