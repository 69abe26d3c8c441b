import { z } from 'zod';
import { roles, scopes } from '../../core/access.ts';
import type { ApiKey } from '../../storage/api-keys.repo.ts';
import type { User } from '../../storage/users.repo.ts';
import { iso } from './common.contract.ts';

export const userDto = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: z.string(), team: z.string().nullable(), manager_id: z.string().nullable(),
  out_of_office_until: z.string().nullable(), disabled: z.boolean(),
  password_set: z.boolean().describe('false while an invitation is open (or for a single-sign-on-only user)'),
}).meta({ id: 'User' });

export const toUserDto = (u: User): z.infer<typeof userDto> => ({
  id: u.id, email: u.email, name: u.name, role: u.role, team: u.team, manager_id: u.managerId,
  out_of_office_until: iso(u.outOfOfficeUntil), disabled: u.disabledAt !== null, password_set: u.passwordSet,
});

export const userInput = z.strictObject({
  email: z.string().min(3).max(254), name: z.string().trim().min(1).max(200).optional(), role: z.enum(roles),
  password: z.string().min(1).max(1000).optional().describe('At least 12 characters, not a common password. Leave it out and invite the user instead (POST /api/v1/users/invite).'), team: z.string().max(100).nullable().optional(),
  manager_id: z.uuid().nullable().optional(),
});

export const userPatch = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(), role: z.enum(roles).optional(), team: z.string().max(100).nullable().optional(),
  manager_id: z.uuid().nullable().optional(), out_of_office_until: z.iso.datetime({ offset: true }).nullable().optional(),
  disabled: z.boolean().optional(),
});

export const apiKeyDto = z.object({
  id: z.string(), name: z.string(), prefix: z.string(), scopes: z.array(z.string()), user_id: z.string().nullable(),
  created_at: z.string(), last_used_at: z.string().nullable(), revoked_at: z.string().nullable(),
}).meta({ id: 'ApiKey' });

export const toApiKeyDto = (k: ApiKey): z.infer<typeof apiKeyDto> => ({
  id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, user_id: k.userId, created_at: k.createdAt.toISOString(),
  last_used_at: iso(k.lastUsedAt), revoked_at: iso(k.revokedAt),
});

export const apiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(200), scopes: z.array(z.enum(scopes)).min(1), user_id: z.uuid().nullable().optional(),
});

export const inviteInput = z.strictObject({
  email: z.string().min(3).max(254), name: z.string().trim().min(1).max(200).optional(), role: z.enum(roles),
  team: z.string().max(100).nullable().optional(), manager_id: z.uuid().nullable().optional(),
});

export const invitationDto = z.object({
  user: userDto, expires_at: z.string(), email_sent: z.boolean(), detail: z.string(),
  invite_url: z.string().nullable().describe('Only when the email could not be sent: pass the link on yourself.'),
}).meta({ id: 'Invitation' });
