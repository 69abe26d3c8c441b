import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { NavLink, useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { AlertsBell } from '../features/alerts/alerts-bell.tsx';
import { keys } from '../api/queries.ts';
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
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <div className="brand" aria-label="Leadloop"><span className="brand-mark" aria-hidden="true" />Leadloop</div>
        <nav aria-label="Main">
          <ul className="nav-list">
            {navFor(role).map((item) => (
              <li key={item.to}><NavLink to={item.to} className={({ isActive }) => `nav-link${isActive ? ' active' : ''}`}>{item.label}</NavLink></li>
            ))}
          </ul>
        </nav>
        <div className="topbar-user">
          {me.user ? <AlertsBell /> : null}
          {me.user ? <NavLink to="/account" className="user-name" title="Your account: change password">{me.user.name ?? me.user.email}</NavLink> : <span className="user-name">API key</span>}
          {role ? <span className="user-role">{roleLabels[role] ?? role}</span> : null}
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
