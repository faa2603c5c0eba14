import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../components/Link.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { toFormError } from '../errors.ts';
import { formatDate, formatUsd } from '../format.ts';
import { useTRPC } from '../trpc.ts';
import { EMPTY_POLICY, PolicyForm, type PolicyFormValues, parseModels, parseUsd } from './PolicyForm.tsx';

export function PoliciesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policies = useQuery(trpc.policies.list.queryOptions());
  const [creating, setCreating] = useState(false);

  const create = useMutation(
    trpc.policies.create.mutationOptions({
      onSuccess() {
        setCreating(false);
        return queryClient.invalidateQueries({ queryKey: trpc.policies.list.queryKey() });
      },
    }),
  );

  function submit(values: PolicyFormValues) {
    const hardLimit = parseUsd(values.hardLimitUsd);
    const models = parseModels(values.allowedModels);
    create.mutate({
      name: values.name.trim(),
      dry_run: values.dryRun,
      ...(hardLimit === null ? {} : { budget: { hard_limit_usd: hardLimit } }),
      ...(models.length > 0 ? { allowed_models: models } : {}),
    });
  }

  return (
    <section>
      <div className="page-head">
        <h1>Policies</h1>
        {!creating && (
          <button
            type="button"
            onClick={() => {
              create.reset();
              setCreating(true);
            }}
          >
            New policy
          </button>
        )}
      </div>
      {creating && (
        <PolicyForm
          title="New policy"
          initial={EMPTY_POLICY}
          submitLabel="Create policy"
          pending={create.isPending}
          error={toFormError(create.error)}
          onSubmit={submit}
          onCancel={() => setCreating(false)}
        />
      )}
      <QueryState isPending={policies.isPending} error={policies.error} />
      {policies.data && (
        <div className="table-wrap">
          <table aria-label="Policies">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Hard limit</th>
                <th scope="col">Allowed models</th>
                <th scope="col">Mode</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {policies.data.map((policy) => (
                <tr key={policy.id}>
                  <td>
                    <Link to={`/policies/${policy.id}`}>{policy.name}</Link>
                  </td>
                  <td>{formatUsd(policy.budget.hard_limit_usd)}</td>
                  <td>
                    {policy.allowed_models?.length ? (
                      policy.allowed_models.join(', ')
                    ) : (
                      <span className="muted">Any</span>
                    )}
                  </td>
                  <td>
                    {policy.dry_run ? (
                      <span className="badge">dry run</span>
                    ) : (
                      <span className="badge badge-active">live</span>
                    )}
                  </td>
                  <td className="muted">{formatDate(policy.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {policies.data.length === 0 && <p className="empty">No policies yet. Every agent needs one.</p>}
        </div>
      )}
    </section>
  );
}
