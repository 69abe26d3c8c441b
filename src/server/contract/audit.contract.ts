import { z } from 'zod';
import type { AuditRow } from '../../app/audit.ts';
import { isoDateTime, pageQuery } from './common.contract.ts';

export const auditQuery = z.strictObject({
  ...pageQuery,
  actor: z.uuid({ message: 'must be a user or API key id' }).optional().describe('Only changes by this user or API key (id).'),
  actor_kind: z.enum(['user', 'api_key', 'system']).optional(),
  object_type: z.string().max(100).optional().describe('e.g. definition, api_key, user, routing, sla_policy, campaign.'),
  object_id: z.string().max(200).optional(),
  action: z.string().max(100).regex(/^[a-z][a-z0-9_.]*$/, 'must be a dotted action such as definition.activated, or a prefix ending in a dot such as definition.')
    .optional().describe('An action (definition.activated) or a prefix ending in a dot (definition.).'),
  from: isoDateTime.optional().describe('From this instant (inclusive).'),
  to: isoDateTime.optional().describe('Before this instant.'),
  format: z.enum(['json', 'csv']).default('json').describe('csv: every matching row (not one page) as text/csv.'),
});

export const auditEntryDto = z.object({
  id: z.string(), at: z.string(),
  actor: z.object({ kind: z.enum(['user', 'api_key', 'system']), id: z.string().nullable(), key_id: z.string().nullable().describe('The API key used, when there was one.'), label: z.string() }),
  action: z.string(), object: z.object({ type: z.string(), id: z.string().nullable() }),
  before: z.unknown().nullable(), after: z.unknown().nullable(), reason: z.string().nullable(),
  request_id: z.string().nullable(), ip: z.string().nullable(),
}).meta({ id: 'AuditEntry' });

export function toAuditEntryDto(r: AuditRow): z.infer<typeof auditEntryDto> {
  return {
    id: r.id, at: r.at.toISOString(), actor: { kind: r.actor.kind, id: r.actor.id, key_id: r.actor.keyId, label: r.actor.label },
    action: r.action, object: r.object, before: r.before, after: r.after, reason: r.reason, request_id: r.requestId, ip: r.ip,
  };
}
