import type { z } from 'zod';
import { IdParams } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

/**
 * The `POST …/{id}/<action>` operations of a dashboard resource (enable, disable and the like):
 * the id in the path, no body, the resource itself in the answer.
 */
export const idActionsOf =
  <const Result extends z.ZodType>(tag: string, result: Result) =>
  <const Id extends string, const Path extends string>(operationId: Id, path: Path, summary: string) =>
    defineOperation({
      operationId,
      method: 'POST',
      path,
      tag,
      summary,
      auth: 'dashboard',
      params: IdParams,
      responses: { 200: result, 401: DashboardAuthError, 404: ErrorResponse },
      successStatus: 200,
    });
