import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { z } from 'zod';
import type { contactContentRatingDto } from '../../../../src/server/contract/contacts.contract.ts';
import { get, qs } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';
import { formatDate } from '../../ui/format.ts';
import { EmptyState, ErrorNote, Loading } from '../../ui/states.tsx';

type ContactContentRating = z.infer<typeof contactContentRatingDto>;

/** Five stars, or a thumb; the visual glyphs are hidden from screen readers, which hear the words. */
function RatingStars({ rating }: { rating: Pick<ContactContentRating, 'rating' | 'scale'> }) {
  if (rating.scale === 'thumbs') {
    const up = rating.rating >= 3;
    return <span className={`stars ${up ? 'up' : 'down'}`}><span aria-hidden="true">{up ? '👍' : '👎'}</span><span className="sr-only">{up ? 'Thumbs up' : 'Thumbs down'}</span></span>;
  }
  return (
    <span className="stars">
      <span aria-hidden="true">{'★'.repeat(rating.rating)}<span className="stars-off">{'★'.repeat(5 - rating.rating)}</span></span>
      <span className="sr-only">{rating.rating} of 5 stars</span>
    </span>
  );
}

/** The content this person rated from the tracking snippet: which asset, how, and what they wrote (untrusted: rendered as text). */
export function ContentRatingsGiven({ contactId }: { contactId: string | null | undefined }) {
  const ratings = useQuery({
    queryKey: ['contact', contactId ?? '', 'content-ratings'], enabled: !!contactId,
    queryFn: () => get<Page<ContactContentRating>>(`/api/v1/contacts/${contactId}/content-ratings${qs({ limit: 50 })}`),
  });
  if (!contactId || ratings.isPending) return <Loading />;
  if (ratings.isError) return <ErrorNote error={ratings.error} />;
  if (!ratings.data.data.length) return <EmptyState title="This person has not rated any content." />;
  return (
    <ul className="plain-list ratings-given">
      {ratings.data.data.map((r) => (
        <li key={r.id}>
          <div className="rating-head">
            <Link className="row-title" to={`/content/${r.asset_id}`}>{r.asset_title}</Link>
            <RatingStars rating={r} />
          </div>
          {r.comment ? <p className="rating-comment">{r.comment}</p> : null}
          <div className="row-sub"><time dateTime={r.at}>{formatDate(r.at)}</time></div>
        </li>
      ))}
    </ul>
  );
}
