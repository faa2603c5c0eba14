import { toFormError } from '../errors.ts';

/** Loading and failure placeholders for a screen's main query. */
export function QueryState({ isPending, error }: { isPending: boolean; error: unknown }) {
  if (error) {
    return (
      <div className="alert alert-error" role="alert">
        {toFormError(error)?.message}
      </div>
    );
  }
  if (isPending) return <p className="muted">Loading…</p>;
  return null;
}
