import { Navigate, NavLink, Route, Routes } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { isAdmin } from '../../app/roles.ts';
import { ApiKeysPanel } from './api-keys-panel.tsx';
import { UsersPanel } from './users-panel.tsx';

export function SettingsPage({ me }: { me: Me }) {
  const admin = isAdmin(me);
  return (
    <main className="page">
      <header className="page-header"><div><h1>Settings</h1><p className="muted">People, access and integrations of this workspace.</p></div></header>
      <div className="settings">
        <nav aria-label="Settings" className="side-nav">
          <NavLink to="/settings/users">Users &amp; roles</NavLink>
          {admin ? <NavLink to="/settings/api-keys">API keys</NavLink> : null}
        </nav>
        <div className="settings-body">
          <Routes>
            <Route path="users" element={<UsersPanel admin={admin} />} />
            <Route path="api-keys" element={admin ? <ApiKeysPanel /> : <Navigate to="/settings/users" replace />} />
            <Route path="*" element={<Navigate to="/settings/users" replace />} />
          </Routes>
        </div>
      </div>
    </main>
  );
}
