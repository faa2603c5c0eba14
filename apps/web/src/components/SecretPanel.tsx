import { useState } from 'react';

interface SecretPanelProps {
  title: string;
  secret: string;
  note?: string | undefined;
  onDismiss: () => void;
}

/** Shows a freshly issued key; the server never returns it again, so the panel says so. */
export function SecretPanel({ title, secret, note, onDismiss }: SecretPanelProps) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <section className="secret-panel" aria-label={title}>
      <div className="secret-panel-head">
        <h2>{title}</h2>
        <button type="button" className="button-ghost" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
      <p>Copy this key now. It is shown only once and cannot be retrieved later.</p>
      {note && <p className="muted">{note}</p>}
      <div className="secret-row">
        <output className="secret" aria-label="API key">
          {secret}
        </output>
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Copying failed; select the key and copy it by hand.'
            : ''}
      </p>
    </section>
  );
}
