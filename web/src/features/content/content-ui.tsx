import { ApiError } from '../../api/client.ts';

/** "★★★★☆" for people, "4 of 5 stars" for screen readers. */
export function Stars({ value, max = 5 }: { value: number; max?: number }) {
  const full = Math.round(value);
  return (
    <span className="stars" role="img" aria-label={`${value} of ${max} stars`}>
      <span aria-hidden="true">{'★'.repeat(full)}</span><span className="stars-off" aria-hidden="true">{'★'.repeat(Math.max(0, max - full))}</span>
    </span>
  );
}

/** A refusal from the API, word for word, with each field's complaint. */
export function ApiErrorNote({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="error-note" role="alert">
      {message}
      {details.length > 0 ? (
        <ul className="error-details">{details.map((d) => <li key={`${d.path}:${d.message}`}><code>{d.path.replace(/^body\./, '')}</code>: {d.message}</li>)}</ul>
      ) : null}
    </div>
  );
}

/** Only http(s) addresses become links: an asset URL is user-supplied text. */
export const safeHref = (url: string | null | undefined): string | null => {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
};

export const statusLabels: Record<string, string> = { idea: 'Idea', planned: 'Planned', in_progress: 'In progress', published: 'Published', cancelled: 'Cancelled' };
