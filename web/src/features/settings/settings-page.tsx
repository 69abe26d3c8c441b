import { Navigate, NavLink, Route, Routes } from 'react-router-dom';
import type { Me } from '../../api/types.ts';
import { isAdmin } from '../../app/roles.ts';
import { ApiKeysPanel } from './api-keys-panel.tsx';
import { ApproversPanel } from './approvers-panel.tsx';
import { AuditLogPanel } from './audit-log-panel.tsx';
import { ConsentPanel } from './consent-panel.tsx';
import { RoutingPanel } from './routing-panel.tsx';
import { SlaPanel } from './sla-panel.tsx';
import { UsersPanel } from './users-panel.tsx';
import { WebhooksPanel } from './webhooks-panel.tsx';
import { IntegrationsPanel } from './integrations-panel.tsx';

/**
 * Everyone who reaches settings may read users, routing and SLA (the API's `read` permission);
 * changing them, API keys and webhooks (secrets, receiver URLs) need the `admin` permission.
 */
export function SettingsPage({ me }: { me: Me }) {
  const admin = isAdmin(me);
  return (
    <main className="page">
      <header className="page-header"><div><h1>Settings</h1><p className="muted">People, access, lead routing, SLAs, consent and integrations of this workspace.</p></div></header>
      <div className="settings">
        <nav aria-label="Settings" className="side-nav">
          <NavLink to="/settings/users">Users &amp; roles</NavLink>
          <NavLink to="/settings/routing">Routing</NavLink>
          <NavLink to="/settings/sla">SLA &amp; reasons</NavLink>
          <NavLink to="/settings/approvers">Approvers</NavLink>
          <NavLink to="/settings/consent">Consent</NavLink>
          {admin ? <NavLink to="/settings/api-keys">API keys</NavLink> : null}
          {admin ? <NavLink to="/settings/webhooks">Webhooks</NavLink> : null}
          {admin ? <NavLink to="/settings/integrations">Integrations</NavLink> : null}
          {admin ? <NavLink to="/settings/audit-log">Audit log</NavLink> : null}
        </nav>
        <div className="settings-body">
          <Routes>
            <Route path="users" element={<UsersPanel admin={admin} />} />
            <Route path="routing" element={<RoutingPanel admin={admin} />} />
            <Route path="sla" element={<SlaPanel admin={admin} />} />
            <Route path="api-keys" element={admin ? <ApiKeysPanel /> : <Navigate to="/settings/users" replace />} />
            <Route path="webhooks" element={admin ? <WebhooksPanel /> : <Navigate to="/settings/users" replace />} />
            <Route path="integrations" element={admin ? <IntegrationsPanel /> : <Navigate to="/settings/users" replace />} />
            <Route path="approvers" element={<ApproversPanel admin={admin} />} />
            <Route path="consent" element={<ConsentPanel />} />
            <Route path="audit-log" element={admin ? <AuditLogPanel /> : <Navigate to="/settings/users" replace />} />
            <Route path="*" element={<Navigate to="/settings/users" replace />} />
          </Routes>
        </div>
      </div>
    </main>
  );
}
