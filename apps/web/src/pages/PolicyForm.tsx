import { type FormEvent, useState } from 'react';
import { CheckboxField, Field } from '../components/Field.tsx';
import { FormErrors } from '../components/FormErrors.tsx';
import { type FormError, fieldError } from '../errors.ts';

/** The slice of a policy the dashboard edits so far; everything else keeps its server-side value. */
export interface PolicyFormValues {
  name: string;
  /** Kept as typed; empty means no hard limit. */
  hardLimitUsd: string;
  /** Comma- or newline-separated model names or globs. */
  allowedModels: string;
  dryRun: boolean;
}

export const EMPTY_POLICY: PolicyFormValues = { name: '', hardLimitUsd: '', allowedModels: '', dryRun: false };

export function parseModels(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((model) => model.trim())
    .filter(Boolean);
}

/** An empty box clears the limit; anything else goes to the server as a number for it to validate. */
export function parseUsd(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

interface PolicyFormProps {
  title: string;
  initial: PolicyFormValues;
  submitLabel: string;
  pending: boolean;
  error: FormError | null;
  onSubmit: (values: PolicyFormValues) => void;
  onCancel: () => void;
}

const FIELD_PATHS = ['name', 'budget.hard_limit_usd', 'allowed_models', 'dry_run'] as const;

export function PolicyForm({ title, initial, submitLabel, pending, error, onSubmit, onCancel }: PolicyFormProps) {
  const [values, setValues] = useState(initial);
  const set = <K extends keyof PolicyFormValues>(key: K, value: PolicyFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit(values);
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-label={title}>
      <h2>{title}</h2>
      <FormErrors error={error} fieldPaths={FIELD_PATHS} />
      <Field label="Name" error={fieldError(error, 'name')}>
        {(control) => (
          <input {...control} value={values.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" />
        )}
      </Field>
      <Field
        label="Hard budget limit (USD)"
        error={fieldError(error, 'budget.hard_limit_usd')}
        hint="Runs stop when they reach it. Leave empty for no limit."
      >
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="decimal"
            step="0.01"
            value={values.hardLimitUsd}
            onChange={(e) => set('hardLimitUsd', e.target.value)}
          />
        )}
      </Field>
      <Field
        label="Allowed models"
        error={fieldError(error, 'allowed_models')}
        hint="Comma-separated names or globs such as gpt-4o, claude-*. Leave empty to allow every model."
      >
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={values.allowedModels}
            onChange={(e) => set('allowedModels', e.target.value)}
          />
        )}
      </Field>
      <CheckboxField
        label="Dry run"
        hint="Checks run normally, but requests are answered with a zero-cost mock instead of reaching the provider."
        checked={values.dryRun}
        onChange={(checked) => set('dryRun', checked)}
      />
      <div className="form-actions">
        <button type="submit" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="button-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
