// One small glyph per activity family, so a timeline can be scanned by shape before it is read.
const paths: Record<string, string> = {
  page: 'M4 3h9l3 3v11H4z M13 3v3h3',
  download: 'M10 3v9 M6 8l4 4 4-4 M4 16h12',
  form: 'M4 4h12v12H4z M7 8h6 M7 11h6 M7 14h3',
  email: 'M3 5h14v10H3z M3 5l7 6 7-6',
  event: 'M4 5h12v11H4z M4 8h12 M7 3v4 M13 3v4',
  sales: 'M5 4h3l1 4-2 1a8 8 0 0 0 4 4l1-2 4 1v3a1 1 0 0 1-1 1A12 12 0 0 1 4 5a1 1 0 0 1 1-1z',
  other: 'M10 4a6 6 0 1 0 0 12a6 6 0 1 0 0-12z',
};

export function activityFamily(type: string): keyof typeof paths {
  if (/page|view|visit/.test(type)) return 'page';
  if (/download|content/.test(type)) return 'download';
  if (/form|signup|submit/.test(type)) return 'form';
  if (/email/.test(type)) return 'email';
  if (/event|webinar|meeting|attend/.test(type)) return 'event';
  if (/sales|call|touch|note/.test(type)) return 'sales';
  return 'other';
}

export function ActivityIcon({ type }: { type: string }) {
  const family = activityFamily(type);
  return (
    <span className={`activity-icon icon-${family}`} aria-hidden="true">
      <svg viewBox="0 0 20 20" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
        <path d={paths[family]} />
      </svg>
    </span>
  );
}
