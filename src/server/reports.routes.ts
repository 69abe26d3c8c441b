import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { attributionSettings, changeAttributionSettings, type AttributionSettings } from '../app/attribution-settings.ts';
import { periodCosts, putPeriodCosts } from '../app/costs.ts';
import { authorize } from '../app/permissions.ts';
import { reportReadSource } from '../app/read-source.ts';
import { reportToCsv } from '../app/reports/report-csv.ts';
import { reportQuerySchema } from '../app/reports/report.types.ts';
import { runAttributionPaths, runReport } from '../app/reports/reports.ts';
import type { PeriodCost } from '../storage/period-costs.repo.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses } from './contract/common.contract.ts';
import { attributionSettingsDto, attributionSettingsInput, costsDto, costsInput, costsPageDto, costsQuery, reportParams } from './contract/reports.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendFailure } from './errors.ts';

const costDto = (c: PeriodCost) => ({ period_start: c.periodStart, category: c.category, amount: c.amount, currency: c.currency, note: c.note });
const settingsDto = (s: AttributionSettings) => ({ target: s.target, lookback_days: s.lookbackDays, half_life_days: s.halfLifeDays, marketing_channels: s.marketingChannels });

/** Reports (JSON or CSV), the period cost table and the attribution agreement. */
export function reportsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();

  app.get('/api/v1/reports/:name', {
    config: { permission: 'read' },
    schema: {
      tags: ['reports'], params: reportParams, querystring: reportQuerySchema, response: errorResponses,
      summary: 'Run a report: funnel, time-to-sales-ready, sources, cpod, attribution, interactions, leakage',
      description: 'JSON: { report, period, filters, definition_versions, generated_at, notes, definitions, columns, rows, data_source, ...report sections }. data_source says which database answered (`replica` when REPORTS_DATABASE_URL is set, else `primary`) and replica_lag_seconds. format=csv: the columns/rows table as text/csv.',
    },
  }, async (request, reply) => {
    const { format, ...query } = request.query;
    const reports = deps.reports ?? deps.app;
    const result = await runReport(reports, principalOf(request).workspaceId, request.params.name, query);
    if (!result.ok) return sendFailure(reply, result);
    // The 200 body is a report (or CSV text) whose sections vary by report: sent as is, not through a schema.
    const raw = reply as unknown as FastifyReply;
    if (format === 'csv') {
      const file = `${result.value.report}-${result.value.period.from.slice(0, 10)}-${result.value.period.to_inclusive}.csv`;
      return raw.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(reportToCsv(result.value));
    }
    const source = await reportReadSource(reports);
    const dataSource = source && { database: source.database, replica_lag_seconds: source.replicaLagSeconds };
    return raw.type('application/json; charset=utf-8').send(JSON.stringify({ ...result.value, data_source: dataSource }));
  });

  app.get('/api/v1/reports/attribution/paths', {
    config: { permission: 'read' },
    schema: {
      tags: ['reports'], querystring: reportQuerySchema, response: errorResponses,
      summary: "The attribution report's Markov paths in ChannelAttribution's input format",
      description: 'One row per distinct channel path of the period: path (channels joined by " > "), total_conversions, total_conversion_value, total_null — the Data frame ChannelAttribution::markov_model takes, so the markov column can be reproduced. format=csv (default) or json.',
    },
  }, async (request, reply) => {
    const { format, ...query } = request.query;
    const result = await runAttributionPaths(deps.reports ?? deps.app, principalOf(request).workspaceId, query);
    if (!result.ok) return sendFailure(reply, result);
    const raw = reply as unknown as FastifyReply;
    if (format === 'json') return raw.type('application/json; charset=utf-8').send(JSON.stringify(result.value));
    return raw.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="attribution-paths.csv"').send(reportToCsv(result.value));
  });

  app.get('/api/v1/costs', {
    config: { permission: 'read' },
    schema: { tags: ['reports'], summary: 'Sales and marketing costs per month (not tied to a campaign), oldest month first', querystring: costsQuery, response: { 200: costsPageDto, ...errorResponses } },
  }, async (request) => {
    const { limit, cursor, ...range } = request.query;
    const page = await periodCosts(deps.app, principalOf(request).workspaceId, range, { limit, cursor });
    return { data: page.data.map(costDto), next_cursor: page.nextCursor };
  });

  app.put('/api/v1/costs', {
    config: { permission: 'write' },
    schema: { tags: ['reports'], summary: 'Set the cost of (month, category) pairs; others are untouched', body: costsInput, response: { 200: costsDto, ...errorResponses } },
  }, async (request, reply) => {
    const allowed = await authorize(deps.app, principalOf(request), 'costs.change');
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await putPeriodCosts(deps.app, principalOf(request).workspaceId, request.body.costs);
    return result.ok ? { data: result.value.map(costDto) } : sendFailure(reply, result);
  });

  app.get('/api/v1/settings/attribution', {
    config: { permission: 'read' },
    schema: { tags: ['reports'], summary: "The attribution agreement: marketing's target share, look-back, half-life, marketing channels", response: { 200: attributionSettingsDto, ...errorResponses } },
  }, async (request, reply) => {
    const result = await attributionSettings(deps.app, principalOf(request).workspaceId);
    return result.ok ? settingsDto(result.value) : sendFailure(reply, result);
  });

  app.put('/api/v1/settings/attribution', {
    config: { permission: 'write' },
    schema: { tags: ['reports'], summary: 'Change the attribution agreement (fields omitted stay as they are)', body: attributionSettingsInput, response: { 200: attributionSettingsDto, ...errorResponses } },
  }, async (request, reply) => {
    const b = request.body;
    const allowed = await authorize(deps.app, principalOf(request), 'attribution.change');
    if (!allowed.ok) return sendFailure(reply, allowed);
    const result = await changeAttributionSettings(deps.app, principalOf(request).workspaceId, {
      target: b.target, lookbackDays: b.lookback_days, halfLifeDays: b.half_life_days, marketingChannels: b.marketing_channels,
    });
    return result.ok ? settingsDto(result.value) : sendFailure(reply, result);
  });
}
