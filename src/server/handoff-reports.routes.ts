import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { computeRejections, computeSlaReport, rejectionsTable, reportWindow, slaReportTable } from '../app/handoff/handoff-reports.ts';
import { reportToCsv } from '../app/reports/report-csv.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, isoDateTime } from './contract/common.contract.ts';
import type { ServerDeps } from './create-server.ts';

const windowQuery = z.strictObject({
  from: isoDateTime.optional().describe('Start of the window (default: 30 days before `to`).'),
  to: isoDateTime.optional().describe('End of the window, exclusive (default: now).'),
  format: z.enum(['json', 'csv']).optional().describe('csv: one flat table (text/csv), as the other reports.'),
});

function sendCsv(reply: unknown, name: string, from: Date, to: Date, csv: string) {
  // Named by the last day covered, like the other reports' files (the window's end is exclusive).
  const file = `${name}-${from.toISOString().slice(0, 10)}-${new Date(to.getTime() - 1).toISOString().slice(0, 10)}.csv`;
  return (reply as FastifyReply).type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(csv);
}

export function handoffReportsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const tags = ['reports'];
  const windowOf = (q: z.infer<typeof windowQuery>) => reportWindow(deps.app, q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined);

  app.get('/api/v1/reports/sla', { config: { permission: 'read' }, schema: { tags, summary: 'Follow-up SLA per rep and team: received, accepted, rejected, untouched, times, hit rate, breaches, escalations, system vs human delay', querystring: windowQuery, response: { 200: z.record(z.string(), z.unknown()), ...errorResponses } } },
    async (request, reply) => {
      const report = await computeSlaReport(deps.app, principalOf(request).workspaceId, windowOf(request.query));
      if (request.query.format === 'csv') return sendCsv(reply, 'sla', report.window.from, report.window.to, reportToCsv(slaReportTable(report)));
      return { from: report.window.from.toISOString(), to: report.window.to.toISOString(), reps: report.reps, teams: report.teams, total: report.total, by_definition_version: report.byDefinitionVersion };
    });

  app.get('/api/v1/reports/rejections', { config: { permission: 'read' }, schema: { tags, summary: 'Rejection and hand-back reasons by source, campaign and definition version', querystring: windowQuery, response: { 200: z.record(z.string(), z.unknown()), ...errorResponses } } },
    async (request, reply) => {
      const r = await computeRejections(deps.app, principalOf(request).workspaceId, windowOf(request.query));
      if (request.query.format === 'csv') return sendCsv(reply, 'rejections', r.window.from, r.window.to, reportToCsv(rejectionsTable(r.rows)));
      const pick = (d: string) => r.rows.filter((x) => x.dimension === d).map((x) => ({ value: x.value, reason_code: x.reasonCode, outcome: x.outcome, count: x.count }));
      return { from: r.window.from.toISOString(), to: r.window.to.toISOString(), by_source: pick('source'), by_campaign: pick('campaign'), by_definition_version: pick('definition_version') };
    });
}
