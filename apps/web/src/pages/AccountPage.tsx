import { useQuery } from '@tanstack/react-query';
import { QueryState } from '../components/QueryState.tsx';
import { formatDate } from '../format.ts';
import { useTRPC } from '../trpc.ts';

export function AccountPage() {
  const trpc = useTRPC();
  const { data: account, isPending, error } = useQuery(trpc.account.get.queryOptions());
  return (
    <section>
      <h1>Account</h1>
      <QueryState isPending={isPending} error={error} />
      {account && (
        <dl className="details card">
          <dt>Name</dt>
          <dd>{account.name}</dd>
          <dt>Slug</dt>
          <dd>
            <code>{account.slug}</code>
          </dd>
          <dt>Account id</dt>
          <dd>
            <code>{account.id}</code>
          </dd>
          <dt>Tier</dt>
          <dd>{account.tier}</dd>
          <dt>Status</dt>
          <dd>
            <span className={`badge badge-${account.status}`}>{account.status}</span>
          </dd>
          <dt>Steps this month</dt>
          <dd>{account.monthly_step_count ?? 0}</dd>
          <dt>Created</dt>
          <dd>{formatDate(account.created_at)}</dd>
        </dl>
      )}
    </section>
  );
}
