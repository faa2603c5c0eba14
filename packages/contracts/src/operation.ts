import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `dashboard`: admin token or session cookie; `agent`: agent API key; `none`: public. */
export type OperationAuth = 'dashboard' | 'agent' | 'none';

/** One spec operation: what a route validates and what it may answer. */
export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI style, e.g. `/api/agents/{id}`. */
  path: string;
  tag: string;
  summary: string;
  auth: OperationAuth;
  params?: z.ZodType;
  query?: z.ZodType;
  /** Request headers we read; loose, so other headers pass through untouched. */
  headers?: z.ZodType;
  /** Ready for validation: wrapped in `.optional()` when the body may be omitted. */
  body?: z.ZodType;
  /** Body schema per status; `null` when that status has no body. */
  responses: Readonly<Record<number, z.ZodType | null>>;
  successStatus: number;
  /** Media type of the success body when it is not JSON. */
  successContentType?: string;
}

/** Keeps the literal types of an operation so routes infer their inputs and outputs. */
export const defineOperation = <const T extends Operation>(operation: T): T => operation;

/** Express-style path (`/api/agents/:id`) for routers that want it. */
export const toRoutePath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');
