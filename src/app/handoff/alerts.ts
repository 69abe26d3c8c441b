import { fail, ok, type Result } from '../../core/result.ts';
import { getAccount } from '../../storage/accounts.repo.ts';
import { getAlert, insertAlert, listAlerts, markAlertRead, recentActivitiesWithContent, recentAlertExists, type Alert } from '../../storage/alerts.repo.ts';
import { getContact } from '../../storage/contacts.repo.ts';
import type { Trx } from '../../storage/db.ts';
import { getDefinition } from '../../storage/definitions.repo.ts';
import { enqueue } from '../../storage/jobs.repo.ts';
import type { Lead } from '../../storage/leads.repo.ts';
import type { Page, PageRequest } from '../../storage/page.ts';
import { listRunningClocks } from '../../storage/sla-clocks.repo.ts';
import { listTransitions } from '../../storage/transitions.repo.ts';
import { listWebhooks } from '../../storage/webhooks.repo.ts';
import type { AppDeps } from '../context.ts';
import { ALERT_DEDUPE_MS, EMAIL_MAX_ATTEMPTS, WEBHOOK_MAX_ATTEMPTS } from './handoff-deps.ts';

export type AlertKind = 'mql_assigned' | 'reassigned' | 'sla_breach' | 'sla_reminder' | 'high_intent';

/** The context an alert carries so the rep can act without opening anything else. */
export type AlertContext = {
  leadId: string; path: string; contact: { name: string; email: string | null; title: string | null };
  account: string | null; why: string | null; definitionVersion: number | null; score: { fit: number | null; engagement: number | null };
  recent: { type: string; at: string; title: string | null }[]; slaDueAt: string | null; slaKind: string | null; reason: string | null;
};

const titles: Record<AlertKind, string> = {
  mql_assigned: 'New sales-ready lead', reassigned: 'Lead reassigned to you', sla_breach: 'SLA breached',
  sla_reminder: 'SLA reminder', high_intent: 'High-intent activity',
};

async function buildContext(trx: Trx, workspaceId: string, lead: Lead, reason: string | null): Promise<AlertContext> {
  const contact = await getContact(trx, workspaceId, lead.contactId);
  const account = lead.accountId ? await getAccount(trx, workspaceId, lead.accountId) : null;
  const transitions = await listTransitions(trx, workspaceId, lead.id);
  const mql = transitions.filter((t) => t.to === 'mql').at(-1) ?? null;
  const definitionId = mql?.definitionId ?? lead.definitionId;
  const definition = definitionId ? await getDefinition(trx, workspaceId, definitionId) : null;
  const recent = await recentActivitiesWithContent(trx, workspaceId, lead.contactId, 5);
  const running = (await listRunningClocks(trx, workspaceId, lead.id)).map((c) => c.clock).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const name = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || contact?.email || 'Unknown contact';
  return {
    leadId: lead.id, path: `/leads/${lead.id}`, contact: { name, email: contact?.email ?? null, title: contact?.title ?? null },
    account: account?.name ?? null, why: mql?.note ?? null, definitionVersion: definition?.version ?? null,
    score: { fit: lead.fitScore, engagement: lead.engagementScore },
    recent: recent.map((a) => ({ type: a.type, at: a.occurredAt.toISOString(), title: a.contentTitle ?? a.url })),
    slaDueAt: running[0]?.dueAt.toISOString() ?? null, slaKind: running[0]?.kind ?? null, reason,
  };
}

/** Plain-text alert body (without the link, which depends on where Leadloop is served). */
export function alertText(kind: string, c: AlertContext): { title: string; body: string } {
  const who = `${c.contact.name}${c.contact.title ? `, ${c.contact.title}` : ''}${c.account ? ` (${c.account})` : ''}`;
  const lines = [
    c.reason ? `Why now: ${c.reason}` : null,
    c.why ? `Why qualified: ${c.why}` : null,
    c.definitionVersion !== null ? `Lead definition: v${c.definitionVersion}` : null,
    c.recent.length ? `Recently: ${c.recent.map((r) => `${r.type.replace(/_/g, ' ')}${r.title ? ` "${r.title}"` : ''} (${r.at.slice(0, 16).replace('T', ' ')})`).join('; ')}` : null,
    c.account ? `Account: ${c.account}` : null,
    c.slaDueAt ? `SLA: ${c.slaKind?.replace('_', ' ')} due ${c.slaDueAt.slice(0, 16).replace('T', ' ')} UTC` : null,
  ].filter((l): l is string => l !== null);
  return { title: `${titles[kind as AlertKind] ?? kind}: ${who}`, body: lines.join('\n') };
}

/**
 * Creates an in-app alert and enqueues its deliveries (each webhook, email) in the caller's
 * transaction, so a receiver that is down or slow never holds up the change that caused the alert.
 * Returns null when the same user got the same kind of alert about the lead in the last 10 minutes.
 */
export async function createLeadAlert(trx: Trx, workspaceId: string, input: { userId: string; lead: Lead; kind: AlertKind; reason?: string | null; now: Date }): Promise<Alert | null> {
  const { userId, lead, kind, now } = input;
  if (await recentAlertExists(trx, workspaceId, userId, lead.id, kind, new Date(now.getTime() - ALERT_DEDUPE_MS))) return null;
  const context = await buildContext(trx, workspaceId, lead, input.reason ?? null);
  const text = alertText(kind, context);
  const alert = await insertAlert(trx, workspaceId, { userId, leadId: lead.id, kind, ...text, context, at: now });
  // The key also dedupes: a still-pending delivery for an older alert of the same kind is superseded by this one.
  const key = `alert:${userId}:${lead.id}:${kind}`;
  for (const webhook of await listWebhooks(trx, workspaceId, { active: true, eventType: 'alert.created' })) {
    await enqueue(trx, 'deliver-alert', { workspaceId, alertId: alert.id, channel: 'webhook', webhookId: webhook.id },
      { jobKey: `${key}:webhook:${webhook.id}`, maxAttempts: WEBHOOK_MAX_ATTEMPTS });
  }
  await enqueue(trx, 'deliver-alert', { workspaceId, alertId: alert.id, channel: 'email' }, { jobKey: `${key}:email`, maxAttempts: EMAIL_MAX_ATTEMPTS });
  return alert;
}

export async function alertFeed(deps: AppDeps, workspaceId: string, userId: string, filter: { unread?: boolean }, page: PageRequest): Promise<Page<Alert>> {
  return listAlerts(deps.db, workspaceId, userId, filter, page);
}

export async function readAlert(deps: AppDeps, workspaceId: string, userId: string, id: string): Promise<Result<Alert>> {
  const alert = await markAlertRead(deps.db, workspaceId, userId, id, deps.clock.now());
  return alert ? ok(alert) : fail('NotFound', `Alert ${id} not found among your alerts.`);
}

export async function findAlert(deps: AppDeps, workspaceId: string, id: string): Promise<Alert | null> {
  return getAlert(deps.db, workspaceId, id);
}
