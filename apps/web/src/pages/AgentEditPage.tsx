import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../components/Link.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { SecretPanel } from '../components/SecretPanel.tsx';
import { toFormError } from '../errors.ts';
import { navigate } from '../router.ts';
import { useTRPC } from '../trpc.ts';
import { AgentForm, type AgentFormValues } from './AgentForm.tsx';

export function AgentEditPage({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const agent = useQuery(trpc.agents.get.queryOptions({ id }));
  const policies = useQuery(trpc.policies.list.queryOptions());
  const [rotatedKey, setRotatedKey] = useState<string | null>(null);

  const save = useMutation(
    trpc.agents.patch.mutationOptions({
      async onSuccess() {
        await queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
        navigate('/agents');
      },
    }),
  );
  const rotate = useMutation(
    trpc.agents.rotateKey.mutationOptions({
      onSuccess(result) {
        setRotatedKey(result.api_key);
        return queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
      },
    }),
  );

  function submit(values: AgentFormValues) {
    save.mutate({
      id,
      name: values.name.trim(),
      description: values.description.trim() || null,
      policy_id: values.policy_id,
      status: values.status,
    });
  }

  function rotateKey() {
    if (window.confirm('Rotate the key? The current key stops working immediately.')) rotate.mutate({ id });
  }

  const data = agent.data;
  return (
    <section className="narrow">
      <p>
        <Link to="/agents">← Agents</Link>
      </p>
      <h1>{data ? data.name : 'Agent'}</h1>
      <QueryState isPending={agent.isPending || policies.isPending} error={agent.error ?? policies.error} />
      {rotatedKey && <SecretPanel title="New API key" secret={rotatedKey} onDismiss={() => setRotatedKey(null)} />}
      {data && policies.data && (
        <>
          <AgentForm
            title="Edit agent"
            initial={{
              name: data.name,
              description: data.description ?? '',
              policy_id: data.policy_id,
              status: data.status,
            }}
            policies={policies.data}
            isNew={false}
            submitLabel="Save changes"
            pending={save.isPending}
            error={toFormError(save.error)}
            onSubmit={submit}
            onCancel={() => navigate('/agents')}
          />
          <div className="card">
            <h2>API key</h2>
            <p className="muted">
              Current key starts with <code>{data.api_key_prefix ?? '—'}</code>. Rotating issues a new key and revokes
              this one.
            </p>
            {rotate.error && (
              <div className="alert alert-error" role="alert">
                {toFormError(rotate.error)?.message}
              </div>
            )}
            <button type="button" className="button-danger" onClick={rotateKey} disabled={rotate.isPending}>
              Rotate key
            </button>
          </div>
        </>
      )}
    </section>
  );
}
