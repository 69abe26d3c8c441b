import { lazy, Suspense, type ComponentProps } from 'react';
import { Loading } from '../../ui/states.tsx';
import type { ScoreHistory as ScoreHistoryChart } from './score-history.tsx';

// The chart pulls in ECharts (~900 KB): loaded when a lead page shows it, so the login screen and the inbox
// (in the entry bundle with the lead pages) stay small.
const Chart = lazy(() => import('./score-history.tsx').then((m) => ({ default: m.ScoreHistory })));

export function ScoreHistory(props: ComponentProps<typeof ScoreHistoryChart>) {
  return <Suspense fallback={<Loading label="Loading the score history…" />}><Chart {...props} /></Suspense>;
}
