import { Link, Route, Routes, useLocation } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { AssetPage } from './asset-page.tsx';
import { CalendarView } from './calendar-view.tsx';
import { GapMapView } from './gap-map-view.tsx';
import { LibraryList } from './library-list.tsx';

const sections = [
  { to: '/content', label: 'Library', match: (p: string) => p === '/content' || p === '/content/' || !/^\/content\/(gap-map|calendar)\/?$/.test(p) },
  { to: '/content/gap-map', label: 'Gap map', match: (p: string) => /^\/content\/gap-map\/?$/.test(p) },
  { to: '/content/calendar', label: 'Calendar', match: (p: string) => /^\/content\/calendar\/?$/.test(p) },
];

/** The content area: library (and each asset), the stage × persona gap map, the editorial calendar; each has its own address. */
export function ContentPage({ me }: { me: Me }) {
  const { pathname } = useLocation();
  return (
    <main className="page">
      <nav className="sub-nav" aria-label="Content sections">
        {sections.map((s) => {
          const active = s.match(pathname);
          return <Link key={s.to} to={s.to} className={`sub-nav-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined}>{s.label}</Link>;
        })}
      </nav>
      <Routes>
        <Route index element={<LibraryList />} />
        <Route path="gap-map" element={<GapMapView />} />
        <Route path="calendar" element={<CalendarView me={me} />} />
        <Route path=":id" element={<AssetPage me={me} />} />
      </Routes>
    </main>
  );
}
