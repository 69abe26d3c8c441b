import { lazy, Suspense, useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useMe } from '../api/queries.ts';
import { AcceptInvitePage } from '../features/auth/accept-invite-page.tsx';
import { ChangePasswordPage } from '../features/auth/change-password-page.tsx';
import { ForgotPasswordPage } from '../features/auth/forgot-password-page.tsx';
import { LoginPage } from '../features/auth/login-page.tsx';
import { ResetPasswordPage } from '../features/auth/reset-password-page.tsx';
import { InboxPage } from '../features/inbox/inbox-page.tsx';
import { prefetchDashboard } from '../features/dashboard/use-report.ts';
import { ContactPage } from '../features/leads/contact-page.tsx';
import { LeadPage } from '../features/leads/lead-page.tsx';
import { ErrorNote, Loading } from '../ui/states.tsx';
import { Layout } from './layout.tsx';
import { homeFor } from './roles.ts';

// Screens with charts pull in ECharts; loading them on demand keeps the login and inbox bundles small.
const loadDashboard = () => import('../features/dashboard/dashboard-page.tsx');
const DashboardPage = lazy(() => loadDashboard().then((m) => ({ default: m.DashboardPage })));
// Opening /dashboard directly: fetch its chunk alongside the session check instead of after it.
if (window.location.pathname === '/dashboard') void loadDashboard();
const ContentPage = lazy(() => import('../features/content/content-page.tsx').then((m) => ({ default: m.ContentPage })));
const DefinitionsPage = lazy(() => import('../features/definitions/definitions-page.tsx').then((m) => ({ default: m.DefinitionsPage })));
const ModelsPage = lazy(() => import('../features/definitions/models-page.tsx').then((m) => ({ default: m.ModelsPage })));
const NurturePage = lazy(() => import('../features/nurture/nurture-page.tsx').then((m) => ({ default: m.NurturePage })));
const RejectionsPage = lazy(() => import('../features/rejections/rejections-page.tsx').then((m) => ({ default: m.RejectionsPage })));
const CampaignsPage = lazy(() => import('../features/campaigns/campaigns-page.tsx').then((m) => ({ default: m.CampaignsPage })));
const PeopleListPage = lazy(() => import('../features/people/people-list-page.tsx').then((m) => ({ default: m.PeopleListPage })));
const LeadsListPage = lazy(() => import('../features/lists/leads-list-page.tsx').then((m) => ({ default: m.LeadsListPage })));
const AccountsListPage = lazy(() => import('../features/accounts/accounts-list-page.tsx').then((m) => ({ default: m.AccountsListPage })));
const AccountPage = lazy(() => import('../features/accounts/account-page.tsx').then((m) => ({ default: m.AccountPage })));
const OpportunitiesListPage = lazy(() => import('../features/opportunities/opportunities-list-page.tsx').then((m) => ({ default: m.OpportunitiesListPage })));
const SettingsPage = lazy(() => import('../features/settings/settings-page.tsx').then((m) => ({ default: m.SettingsPage })));

export function App() {
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();
  const loggedIn = !!me.data;
  useEffect(() => {
    // The dashboard's data and its chart bundle load in parallel rather than one after the other.
    if (loggedIn && location.pathname === '/dashboard') void prefetchDashboard(queryClient);
  }, [loggedIn, location.pathname, queryClient]);
  // Emailed links work whether or not someone is signed in on this browser.
  if (location.pathname === '/reset-password') return <ResetPasswordPage />;
  if (location.pathname === '/accept-invite') return <AcceptInvitePage />;
  if (me.isPending) return <Loading label="Starting Leadloop…" />;
  if (me.isError) return <main className="page"><ErrorNote error={me.error} /></main>;
  if (!me.data) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  const home = homeFor(me.data.user?.role);
  return (
    <Layout me={me.data}>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Navigate to={home} replace />} />
          <Route path="/login" element={<Navigate to={home} replace />} />
          <Route path="/forgot-password" element={<Navigate to="/account" replace />} />
          <Route path="/account" element={<ChangePasswordPage me={me.data} />} />
          <Route path="/inbox" element={<InboxPage me={me.data} />} />
          <Route path="/leads/:id" element={<LeadPage me={me.data} />} />
          <Route path="/contacts/:id" element={<ContactPage />} />
          <Route path="/people" element={<PeopleListPage me={me.data} />} />
          <Route path="/contacts" element={<Navigate to={{ pathname: '/people', search: location.search }} replace />} />
          <Route path="/leads" element={<LeadsListPage me={me.data} />} />
          <Route path="/accounts" element={<AccountsListPage me={me.data} />} />
          <Route path="/accounts/:id" element={<AccountPage me={me.data} />} />
          <Route path="/opportunities" element={<OpportunitiesListPage me={me.data} />} />
          <Route path="/dashboard" element={<DashboardPage />} />
          <Route path="/definitions" element={<DefinitionsPage me={me.data} />} />
          <Route path="/definitions/models" element={<ModelsPage me={me.data} />} />
          <Route path="/content/*" element={<ContentPage me={me.data} />} />
          <Route path="/settings/*" element={<SettingsPage me={me.data} />} />
          <Route path="/nurture" element={<NurturePage me={me.data} />} />
          <Route path="/nurture/:id" element={<NurturePage me={me.data} />} />
          <Route path="/rejections" element={<RejectionsPage />} />
          <Route path="/campaigns" element={<CampaignsPage me={me.data} />} />
          <Route path="/campaigns/:id" element={<CampaignsPage me={me.data} />} />
          <Route path="*" element={<main className="page"><h1>Not found</h1><p>No screen at this address.</p></main>} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
