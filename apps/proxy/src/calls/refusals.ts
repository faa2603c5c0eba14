import type { Admission } from '@rungate/governance';
import type { FastifyReply } from 'fastify';

type NotAdmitted = Exclude<Admission, { kind: 'admitted' }>;

/** Answers a call that governance did not let through, in the spec's shapes. */
export function sendRefusal(reply: FastifyReply, admission: NotAdmitted): FastifyReply {
  switch (admission.kind) {
    case 'blocked': {
      const { blocked, runId, context, policyFallback } = admission;
      if (runId) reply.header('x-rungate-run-id', runId);
      if (policyFallback)
        reply.header('x-rungate-policy-fallback', 'true').header('x-rungate-policy-fallback-reason', policyFallback);
      const retryAfter = blocked.details.retry_after_seconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return reply.status(blocked.status).send({
        error: {
          type: 'governance_block',
          code: blocked.code,
          message: blocked.message,
          run_id: runId,
          details: blocked.details,
          ...(context ? { context } : {}),
        },
      });
    }
    case 'awaiting_approval':
      return reply
        .status(202)
        .header('x-rungate-run-id', admission.runId)
        .send({
          status: 'awaiting_approval',
          approval_requests: admission.requests,
          run_id: admission.runId,
          message: `Tool use needs approval (${admission.requests.map((r) => r.tool).join(', ')}). Retry with x-rungate-run-id: ${admission.runId} once decided.`,
        });
    case 'run_ended':
      return reply
        .status(409)
        .header('x-rungate-run-id', admission.runId)
        .send({ error: { type: 'conflict', message: admission.message } });
    case 'foreign_run':
      return reply.status(403).send({ error: { type: 'forbidden', message: 'This run belongs to another agent' } });
    case 'invalid':
      return reply.status(400).send({
        error: {
          type: 'validation_error',
          message: admission.message,
          fields: { [admission.field]: admission.message },
        },
      });
  }
}
