/** Recognizes the PostgreSQL errors that callers turn into expected outcomes. */
export function pgErrorCode(e: unknown): string | null {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : null;
}
export const isUniqueViolation = (e: unknown) => pgErrorCode(e) === '23505';
export const isForeignKeyViolation = (e: unknown) => pgErrorCode(e) === '23503';
