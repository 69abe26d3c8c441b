import { useId, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { NavLink, useLocation, useNavigate } from 'react-router-dom';
import { api, setCsrfToken } from '../api/client.ts';
import { HeaderSearch } from '../features/search/header-search.tsx';
import { AlertsBell } from '../features/alerts/alerts-bell.tsx';
import { fetchAll, keys } from '../api/queries.ts';
import type { Me } from '../api/types.ts';
import { navFor, roleLabels } from './roles.ts';

export function Layout({ me, children }: { me: Me; children: ReactNode }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => undefined);
    // Nothing of the previous user's data may survive into the next session on this tab.
    queryClient.clear();
    queryClient.setQueryData(keys.me, null);
    navigate('/login');
  };
  const role = me.user?.role;
  const { pathname } = useLocation();
  // The four list screens share one top-bar entry (they have tabs of their own).
  const inLists = /^\/(people|contacts|leads|accounts|opportunities)(\/|$)/.test(pathname);
  const workspaces = useQuery({ queryKey: ['me', 'workspaces'], queryFn: () => fetchAll<SessionWorkspace>('/api/v1/me/workspaces', {}), staleTime: 300_000, enabled: !!me.user });
  // With several workspaces the switcher names the role per workspace, so the role badge steps aside.
  const several = (workspaces.data?.length ?? 0) > 1;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar with-search">
        <div className="brand" aria-label="Leadloop"><span className="brand-mark" aria-hidden="true" />Leadloop</div>
        <nav aria-label="Main">
          <ul className="nav-list">
            {navFor(role).map((item) => (
              <li key={item.to}><NavLink to={item.to} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>{item.label}</NavLink></li>
            ))}
            <li><NavLink to="/people" className={`nav-link${inLists ? ' active' : ''}`} aria-current={inLists ? 'page' : undefined}>People</NavLink></li>
          </ul>
        </nav>
        <HeaderSearch />
        <div className="topbar-user">
          {several ? <WorkspaceSwitcher current={me.workspace_id} workspaces={workspaces.data!} /> : null}
          {me.user ? <AlertsBell /> : null}
          {me.user ? <NavLink to="/account" className="user-name" title="Your account: change password">{me.user.name ?? me.user.email}</NavLink> : <span className="user-name">API key</span>}
          {role && !several ? <span className="user-role">{roleLabels[role] ?? role}</span> : null}
          <button type="button" className="button ghost small" onClick={logout}>Log out</button>
        </div>
      </header>
      {me.warnings?.map((w) => (
        <div key={w.code} className="warning-banner" role="alert">
          <strong>Security: </strong>{w.message}
          {w.code === 'demo_password' && me.user?.role === 'admin' ? <> <NavLink to="/account">Change your password</NavLink></> : null}
        </div>
      ))}
      <div id="main" className="main" tabIndex={-1}>{children}</div>
    </div>
  );
}

type SessionWorkspace = { id: string; name: string; role: string; current: boolean };

/**
 * Shown only when the sign-in proved accounts in several workspaces: choosing one starts a session
 * there and reloads everything (no data of the previous workspace survives in the cache).
 */
function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: SessionWorkspace[] }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const change = async (workspaceId: string) => {
    setError(null);
    try {
      const signedIn = await api<{ csrf_token: string }>('POST', '/api/v1/me/workspace', { workspace_id: workspaceId });
      setCsrfToken(signedIn.csrf_token);
      queryClient.clear();
      navigate('/');
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not switch.');
    }
  };
  return (
    <div className="workspace-switch">
      <label htmlFor={id} className="sr-only">Workspace</label>
      <select id={id} value={current} onChange={(e) => void change(e.target.value)} title={error ?? 'Switch workspace'}>
        {workspaces.map((w) => <option key={w.id} value={w.id}>{w.name} · {roleLabels[w.role] ?? w.role}</option>)}
      </select>
      {error ? <span className="sr-only" role="alert">{error}</span> : null}
    </div>
  );
}
