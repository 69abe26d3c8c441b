import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { reportWindow } from '../app/handoff/handoff-reports.ts';
import { rejectionNotes } from '../app/handoff/rejection-notes.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, iso, isoDateTime, pageParams } from './contract/common.contract.ts';
import { rejectionNoteDto } from './contract/rejections.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError } from './errors.ts';

/** The rejections review: each lead sales sent back, with the reason and the note for marketing. */
export function rejectionsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/rejections', {
    config: { permission: 'read' },
    schema: {
      tags: ['reports'], summary: 'Leads sales rejected or handed back (newest first): reason, note for marketing, source, campaign, definition version',
      querystring: z.strictObject({
        from: isoDateTime.optional().describe('Start of the window (default: 30 days before `to`).'), to: isoDateTime.optional().describe('End, exclusive (default: now).'),
        with_note: z.enum(['true', 'false']).optional().describe('true: only those with a note for marketing.'),
        ...pageParams({ sorted: true, defaultLimit: 200, maxLimit: 1000 }),
      }),
      response: { 200: z.object({ from: z.string(), to: z.string(), data: z.array(rejectionNoteDto), next_cursor: z.string().nullable() }), ...errorResponses },
    },
  }, async (request, reply) => {
    const q = request.query;
    const w = reportWindow(deps.app, q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined);
    if (w.from >= w.to) return sendError(reply, 'ValidationFailed', '`from` must be before `to`.', [{ path: 'querystring.from', message: 'must be before to' }]);
    const page = await rejectionNotes(deps.app, principalOf(request).workspaceId, w, { withNoteOnly: q.with_note === 'true' }, { limit: q.limit, cursor: q.cursor });
    return {
      from: w.from.toISOString(), to: w.to.toISOString(),
      next_cursor: page.nextCursor,
      data: page.data.map((r) => ({
        transition_id: r.transitionId, lead_id: r.leadId, contact_id: r.contactId, person_name: r.personName, email: r.email, at: r.at.toISOString(),
        from_stage: r.fromStage, to_stage: r.toStage, reason_code: r.reasonCode, reason_label: r.reasonLabel, outcome: r.outcome, note: r.note,
        recheck_at: iso(r.recheckAt), source: r.source, campaign: r.campaign, definition_version: r.definitionVersion, rep_name: r.repName,
      })),
    };
  });
}
