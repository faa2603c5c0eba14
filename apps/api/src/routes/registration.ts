import { registrationOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function registrationRoutes(app: FastifyInstance, { registration }: Services): void {
  addRoute(app, ops.register, async ({ body, request }) => ({
    data: await registration.register(body, { ip: request.ip }),
  }));
}
