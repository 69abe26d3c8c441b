import type { Me } from '../api/types.ts';

export type NavItem = { to: string; label: string };

const inbox: NavItem = { to: '/inbox', label: 'Inbox' };
const dashboard: NavItem = { to: '/dashboard', label: 'Dashboard' };
const definitions: NavItem = { to: '/definitions', label: 'Definitions' };
const content: NavItem = { to: '/content', label: 'Content' };
const settings: NavItem = { to: '/settings', label: 'Settings' };
const nurture: NavItem = { to: '/nurture', label: 'Nurture' };
const rejections: NavItem = { to: '/rejections', label: 'Rejections' };
const campaigns: NavItem = { to: '/campaigns', label: 'Campaigns' };

/** What each role finds in the top bar: the screens of its daily work, in order of use. */
export function navFor(role: string | null | undefined): NavItem[] {
  switch (role) {
    case 'sales': return [inbox, definitions, content];
    case 'sales_manager': return [inbox, dashboard, definitions, content, settings];
    case 'marketing': return [dashboard, campaigns, nurture, rejections, definitions, content];
    case 'admin': return [dashboard, inbox, campaigns, nurture, definitions, content, settings];
    default: return [dashboard, content];
  }
}

/** Sales start their day in the inbox; everyone else on the dashboard. */
export const homeFor = (role: string | null | undefined) => (role === 'sales' || role === 'sales_manager' ? '/inbox' : '/dashboard');

export const canWrite = (me: Me | null | undefined) => !!me?.permissions.includes('write');
export const isAdmin = (me: Me | null | undefined) => !!me?.permissions.includes('admin');
export const isManager = (me: Me | null | undefined) => me?.user?.role === 'sales_manager' || me?.user?.role === 'admin';

export const roleLabels: Record<string, string> = {
  admin: 'Admin', marketing: 'Marketing', sales: 'Sales rep', sales_manager: 'Sales manager', viewer: 'Viewer',
};
