import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../components/Link.tsx';
import { QueryState } from '../components/QueryState.tsx';
import { SecretPanel } from '../components/SecretPanel.tsx';
import { toFormError } from '../errors.ts';
import { formatDate } from '../format.ts';
import { type RouterOutputs, useTRPC } from '../trpc.ts';
import { AgentForm, type AgentFormValues } from './AgentForm.tsx';

type CreatedAgent = RouterOutputs['agents']['create'];

const EMPTY: AgentFormValues = { name: '', description: '', policy_id: '', status: 'active' };

export function AgentsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const agents = useQuery(trpc.agents.list.queryOptions());
  const policies = useQuery(trpc.policies.list.queryOptions());
  const [creating, setCreating] = useState(false);
  // Held only in this component's state: the key is gone once the panel is dismissed or the page left.
  const [created, setCreated] = useState<CreatedAgent | null>(null);

  const create = useMutation(
    trpc.agents.create.mutationOptions({
      onSuccess(agent) {
        setCreated(agent);
        setCreating(false);
        return queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
      },
    }),
  );

  function submit(values: AgentFormValues) {
    create.mutate({
      name: values.name.trim(),
      policy_id: values.policy_id,
      ...(values.description.trim() ? { description: values.description.trim() } : {}),
    });
  }

  const policyNames = new Map((policies.data ?? []).map((p) => [p.id, p.name]));

  return (
    <section>
      <div className="page-head">
        <h1>Agents</h1>
        {!creating && (
          <button
            type="button"
            onClick={() => {
              create.reset();
              setCreated(null);
              setCreating(true);
            }}
          >
            New agent
          </button>
        )}
      </div>
      {created && (
        <SecretPanel
          title={`API key for ${created.name}`}
          secret={created.api_key}
          note={created._note}
          onDismiss={() => setCreated(null)}
        />
      )}
      {creating && (
        <AgentForm
          title="New agent"
          initial={EMPTY}
          policies={policies.data ?? []}
          isNew
          submitLabel="Create agent"
          pending={create.isPending}
          error={toFormError(create.error)}
          onSubmit={submit}
          onCancel={() => setCreating(false)}
        />
      )}
      <QueryState isPending={agents.isPending} error={agents.error} />
      {agents.data && (
        <div className="table-wrap">
          <table aria-label="Agents">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Policy</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {agents.data.map((agent) => (
                <tr key={agent.id}>
                  <td>
                    <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
                    {agent.description && <div className="muted">{agent.description}</div>}
                  </td>
                  <td>
                    <span className={`badge badge-${agent.status}`}>{agent.status}</span>
                  </td>
                  <td>{policyNames.get(agent.policy_id) ?? <code>{agent.policy_id.slice(0, 8)}</code>}</td>
                  <td>{agent.api_key_prefix ? <code>{agent.api_key_prefix}…</code> : '—'}</td>
                  <td className="muted">{formatDate(agent.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {agents.data.length === 0 && <p className="empty">No agents yet. Create one to get an API key.</p>}
        </div>
      )}
    </section>
  );
}
