import { type FormError, unclaimedFields } from '../errors.ts';

interface FormErrorsProps {
  error: FormError | null;
  /** Field paths the form shows next to its inputs; anything else is listed here. */
  fieldPaths: readonly string[];
}

export function FormErrors({ error, fieldPaths }: FormErrorsProps) {
  if (!error) return null;
  const others = unclaimedFields(error, fieldPaths);
  return (
    <div className="alert alert-error" role="alert">
      <p>{error.message}</p>
      {others.length > 0 && (
        <ul>
          {others.map(([field, message]) => (
            <li key={field}>
              <code>{field}</code>: {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
