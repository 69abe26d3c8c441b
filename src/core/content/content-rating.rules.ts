import { fail, ok, type Result } from '../result.ts';

export type RatingInput = { rating?: number | null; thumbs?: 'up' | 'down' | null };
export type NormalizedRating = { rating: number; scale: 'stars' | 'thumbs' };

/**
 * One rating scale for reports: 1–5 stars as given; thumbs up = 5, thumbs down = 1 (the ends of
 * the scale, so a thumbs-down pulls an average down as hard as a one-star).
 */
export function normalizeRating(input: RatingInput): Result<NormalizedRating> {
  const hasStars = input.rating !== undefined && input.rating !== null;
  const hasThumbs = input.thumbs !== undefined && input.thumbs !== null;
  if (hasStars === hasThumbs) return fail('ValidationFailed', 'Give either rating (1–5) or thumbs (up/down), not both or neither.', [{ path: 'rating', message: 'rating or thumbs' }]);
  if (hasThumbs) return ok({ rating: input.thumbs === 'up' ? 5 : 1, scale: 'thumbs' });
  const r = input.rating!;
  if (!Number.isInteger(r) || r < 1 || r > 5) return fail('ValidationFailed', 'rating must be a whole number from 1 to 5.', [{ path: 'rating', message: '1–5' }]);
  return ok({ rating: r, scale: 'stars' });
}

// C0/C1 control characters except tab and newline, bidi overrides and zero-width characters: they
// hide or reorder text in the UI and serve no purpose in a comment.
const unwanted = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A comment stored as plain text: control characters stripped, whitespace tidied, length capped; empty → null. */
export function cleanComment(comment: string | null | undefined, maxLength = 2000): string | null {
  if (!comment) return null;
  const cleaned = comment.normalize('NFC').replace(/\r\n?/g, '\n').replace(unwanted, '').replace(/\n{3,}/g, '\n\n').trim();
  if (!cleaned) return null;
  return [...cleaned].slice(0, maxLength).join('');
}
