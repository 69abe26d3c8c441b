import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router-dom';
import { ApiError } from './api/client.ts';
import { keys, meQuery } from './api/queries.ts';
import { App } from './app/app.tsx';
import { prefetchDashboard } from './features/dashboard/use-report.ts';
import './app/styles.css';

// An expired or revoked session anywhere sends the user back to the login page (keeping the address).
const onError = (error: unknown) => {
  if (error instanceof ApiError && error.status === 401) queryClient.setQueryData(keys.me, null);
};

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      // 4xx answers are decisions (not found, forbidden, not built yet): retrying them only delays the screen.
      retry: (count, error) => count < 2 && !(error && 'status' in error && Number((error as { status: number }).status) < 500),
      refetchOnWindowFocus: false,
    },
  },
});

// The session check goes first (browsers open six connections per host), then, when /dashboard is opened
// directly, its six reports, so they load alongside the check instead of after it. Logged out, they answer
// 401, which only confirms the login page.
void queryClient.prefetchQuery(meQuery);
if (window.location.pathname === '/dashboard') prefetchDashboard(queryClient);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
