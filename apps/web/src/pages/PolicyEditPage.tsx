import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '../components/Link.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { toFormError } from '../errors.ts';
import { navigate } from '../router.ts';
import { useTRPC } from '../trpc.ts';
import { PolicyForm, type PolicyFormValues, parseModels, parseUsd } from './PolicyForm.tsx';

export function PolicyEditPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.policies.get.queryOptions({ id }));

  const backToList = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.policies.pathKey() });
    navigate('/policies');
  };
  const save = useMutation(trpc.policies.update.mutationOptions({ onSuccess: backToList }));
  const remove = useMutation(trpc.policies.delete.mutationOptions({ onSuccess: backToList }));

  // The update deep-merges, so only the fields on this form are sent; empty inputs clear their value.
  function submit(values: PolicyFormValues) {
    save.mutate({
      id,
      name: values.name.trim(),
      dry_run: values.dryRun,
      budget: { hard_limit_usd: parseUsd(values.hardLimitUsd) },
      allowed_models: parseModels(values.allowedModels),
    });
  }

  function deletePolicy() {
    if (window.confirm('Delete this policy? Agents that use it must be moved to another policy first.'))
      remove.mutate({ id });
  }

  const data = policy.data;
  return (
    <section className="narrow">
      <p>
        <Link to="/policies">← Policies</Link>
      </p>
      <h1>{data ? data.name : 'Policy'}</h1>
      <QueryState isPending={policy.isPending} error={policy.error} />
      {data && (
        <>
          <PolicyForm
            title="Edit policy"
            initial={{
              name: data.name,
              hardLimitUsd: data.budget.hard_limit_usd == null ? '' : String(data.budget.hard_limit_usd),
              allowedModels: (data.allowed_models ?? []).join(', '),
              dryRun: data.dry_run ?? false,
            }}
            submitLabel="Save changes"
            pending={save.isPending}
            error={toFormError(save.error)}
            onSubmit={submit}
            onCancel={() => navigate('/policies')}
          />
          <div className="card">
            <h2>Delete policy</h2>
            <p className="muted">A policy still used by an agent cannot be deleted.</p>
            {remove.error && (
              <div className="alert alert-error" role="alert">
                {toFormError(remove.error)?.message}
              </div>
            )}
            <button type="button" className="button-danger" onClick={deletePolicy} disabled={remove.isPending}>
              Delete policy
            </button>
          </div>
        </>
      )}
    </section>
  );
}
