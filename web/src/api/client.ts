/** A refusal from the API, carrying its one error shape: { error: { code, message, details } }. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export const isNotFound = (e: unknown) => e instanceof ApiError && e.status === 404;

// The session's CSRF token (from the sign-in answer or /me): state-changing requests made with the
// session cookie must carry it, which a page of another origin cannot do.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

/** JSON over fetch with the session cookie; every non-2xx becomes an ApiError with the server's message. */
export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' };
  if (csrfToken && method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // A non-JSON answer (a proxy error page, say) still becomes a readable error below.
  }
  if (!response.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: { path: string; message: string }[] } } | null)?.error;
    throw new ApiError(response.status, err?.code ?? 'HttpError', err?.message ?? `${method} ${url} failed with HTTP ${response.status}.`, err?.details ?? []);
  }
  return json as T;
}

export const get = <T>(url: string) => api<T>('GET', url);

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
