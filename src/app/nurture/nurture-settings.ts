import { consentPolicyOf, type ConsentPolicy } from '../../core/consent.rules.ts';
import { randomBytes } from 'node:crypto';
import { nurtureSettings, type NurtureSettings } from '../../core/nurture/nurture-track.schema.ts';
import { businessCalendarSchema, type BusinessCalendar } from '../../core/sla/business-calendar.schema.ts';
import type { DbOrTrx } from '../../storage/db.ts';
import { ensureWorkspaceSetting } from '../../storage/nurture.repo.ts';
import { getWorkspace } from '../../storage/workspaces.repo.ts';
import { buyingStagesOf } from '../buying-stages.ts';
import type { AppDeps } from '../context.ts';
import type { Mailer } from '../mailer.ts';

/** What nurture sending needs beyond the database and the clock: the one mailer and the public base URL for links. */
export type NurtureDeps = AppDeps & { mailer: Mailer; publicUrl: string };

export type WorkspaceNurtureSettings = {
  buyingStages: string[]; settings: NurtureSettings; calendar: BusinessCalendar;
  /** Read from the same workspace row: which purposes need an opt-in, and whether its people are fictional (demo). */
  consentPolicy: ConsentPolicy; isDemo: boolean;
};

const defaultCalendar: BusinessCalendar = { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', holidays: [] };

/**
 * The workspace's buying stages (settings.buyingStages), nurture settings (settings.nurture) and
 * business calendar (settings.nurture.calendar, else settings.businessCalendar, else Mon–Fri 09–17 UTC).
 * Invalid stored values fall back to the defaults rather than stopping every email.
 */
export async function loadNurtureSettings(db: DbOrTrx, workspaceId: string): Promise<WorkspaceNurtureSettings> {
  const ws = await getWorkspace(db, workspaceId);
  const s = ws?.settings ?? {};
  const stages = buyingStagesOf(s);
  const nurture = (typeof s.nurture === 'object' && s.nurture !== null ? s.nurture : {}) as Record<string, unknown>;
  const parsed = nurtureSettings.safeParse(nurture);
  const calendar = businessCalendarSchema.safeParse(nurture.calendar ?? s.businessCalendar);
  return {
    buyingStages: stages, settings: parsed.success ? parsed.data : nurtureSettings.parse({}), calendar: calendar.success ? calendar.data : defaultCalendar,
    consentPolicy: consentPolicyOf(s), isDemo: ws?.isDemo ?? false,
  };
}

const SECRET_KEY = 'nurtureTokenSecret';

/** The workspace's token-signing secret, generated once on first use (32 random bytes). */
export async function workspaceTokenSecret(db: DbOrTrx, workspaceId: string): Promise<string> {
  const value = await ensureWorkspaceSetting(db, workspaceId, SECRET_KEY, randomBytes(32).toString('base64url'));
  if (typeof value !== 'string') throw new Error(`workspace ${workspaceId} has no usable ${SECRET_KEY}`);
  return value;
}
