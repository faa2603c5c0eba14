import { type FormEvent, useState } from 'react';
import { Field } from '../components/Field.tsx';
import { FormErrors } from '../components/FormErrors.tsx';
import { Link } from '../components/Link.tsx';
import { type FormError, fieldError } from '../errors.ts';

export type AgentStatus = 'active' | 'disabled';

export interface AgentFormValues {
  name: string;
  description: string;
  policy_id: string;
  status: AgentStatus;
}

interface AgentFormProps {
  title: string;
  initial: AgentFormValues;
  policies: readonly { id: string; name: string }[];
  /** New agents start active and get a free name; existing ones can be disabled and renamed. */
  isNew: boolean;
  submitLabel: string;
  pending: boolean;
  error: FormError | null;
  onSubmit: (values: AgentFormValues) => void;
  onCancel: () => void;
}

const FIELD_PATHS = ['name', 'description', 'policy_id', 'status'] as const;

export function AgentForm({
  title,
  initial,
  policies,
  isNew,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: AgentFormProps) {
  const [values, setValues] = useState(initial);
  const set = <K extends keyof AgentFormValues>(key: K, value: AgentFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(values);
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-label={title}>
      <h2>{title}</h2>
      <FormErrors error={error} fieldPaths={FIELD_PATHS} />
      <Field
        label="Name"
        error={fieldError(error, 'name')}
        hint={isNew ? 'Suffixed (my-agent-2) if the name is taken.' : undefined}
      >
        {(control) => (
          <input {...control} value={values.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" />
        )}
      </Field>
      <Field label="Description" error={fieldError(error, 'description')}>
        {(control) => (
          <textarea {...control} value={values.description} onChange={(e) => set('description', e.target.value)} />
        )}
      </Field>
      <Field
        label="Policy"
        error={fieldError(error, 'policy_id')}
        hint={policies.length === 0 ? 'No policies yet: create one on the Policies page first.' : undefined}
      >
        {(control) => (
          <select {...control} value={values.policy_id} onChange={(e) => set('policy_id', e.target.value)}>
            <option value="">Choose a policy…</option>
            {policies.map((policy) => (
              <option key={policy.id} value={policy.id}>
                {policy.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {!isNew && (
        <Field
          label="Status"
          error={fieldError(error, 'status')}
          hint="A disabled agent's key is refused by the proxy."
        >
          {(control) => (
            <select {...control} value={values.status} onChange={(e) => set('status', e.target.value as AgentStatus)}>
              <option value="active">Active</option>
              <option value="disabled">Disabled</option>
            </select>
          )}
        </Field>
      )}
      <div className="form-actions">
        <button type="submit" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="button-ghost" onClick={onCancel}>
          Cancel
        </button>
        {policies.length === 0 && <Link to="/policies">Go to policies</Link>}
      </div>
    </form>
  );
}
