import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findImportRun, importCsv, importErrorReport } from '../app/import/csv-import.ts';
import { parseMapping } from '../app/import/import-presets.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses, errorSchema, idParams } from './contract/common.contract.ts';
import { importFields, importRunDto, importSummaryDto, toImportRunDto, toImportSummaryDto } from './contract/imports.contract.ts';
import type { ServerDeps } from './create-server.ts';
import { sendError, sendFailure } from './errors.ts';

const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/**
 * Receives the upload into a temporary file (constant memory: the stream is never buffered), because
 * the import reads the file twice: a structural pass that can refuse it before anything is written,
 * then the import itself.
 */
async function receiveUpload(request: FastifyRequest, dir: string): Promise<{ fields: Record<string, string>; file: string | null; fileName: string | null }> {
  const fields: Record<string, string> = {};
  let file: string | null = null;
  let fileName: string | null = null;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (file) { part.file.resume(); throw Object.assign(new Error('Send exactly one file part.'), { statusCode: 400 }); }
      file = path.join(dir, 'upload.csv');
      fileName = part.filename || null;
      await pipeline(part.file, createWriteStream(file));
    } else {
      fields[part.fieldname] = String(part.value);
    }
  }
  return { fields, file, fileName };
}

function mappingOf(raw: string | undefined) {
  if (raw === undefined || raw.trim() === '') return parseMapping(undefined);
  if (raw.trim().startsWith('{')) {
    const parsed = z.record(z.string(), z.string()).safeParse((() => { try { return JSON.parse(raw); } catch { return null; } })());
    if (parsed.success) return { ok: true as const, value: parsed.data };
    return { ok: false as const, code: 'ValidationFailed' as const, message: 'mapping must be a JSON object of column → field names.', details: [{ path: 'mapping', message: 'invalid JSON object' }] };
  }
  return parseMapping(raw);
}

async function uploadHandler(deps: ServerDeps, request: FastifyRequest, reply: FastifyReply) {
  if (!request.isMultipart()) {
    return sendError(reply, 'UnsupportedMediaType', `Send the CSV as multipart/form-data (a 'file' part plus the fields entity, preset, dry_run, mapping); got '${request.headers['content-type'] ?? 'no content type'}'.`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'leadloop-import-'));
  try {
    let upload;
    try {
      upload = await receiveUpload(request, dir);
    } catch (e) {
      const err = e as { code?: string; statusCode?: number; message: string };
      if (err.code === 'FST_REQ_FILE_TOO_LARGE') return sendError(reply, 'PayloadTooLarge', `The file is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB; split it or import it with the CLI (leadloop import).`);
      if (err.statusCode && err.statusCode < 500) return sendError(reply, 'ValidationFailed', `Unreadable upload: ${err.message}`);
      throw e;
    }
    const fields = importFields.safeParse(upload.fields);
    if (!fields.success) {
      const details = fields.error.issues.map((i) => ({ path: i.path.join('.') || 'fields', message: i.message }));
      return sendError(reply, 'ValidationFailed', `Invalid import fields: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
    }
    if (!upload.file) return sendError(reply, 'ValidationFailed', "The upload has no file part; send the CSV as a 'file' field.", [{ path: 'file', message: 'required' }]);
    const mapping = mappingOf(fields.data.mapping);
    if (!mapping.ok) return sendFailure(reply, mapping);
    const file = upload.file;
    const result = await importCsv(deps.app, principalOf(request).workspaceId, () => createReadStream(file), {
      entity: fields.data.entity, preset: fields.data.preset, mapping: mapping.value, dryRun: fields.data.dry_run, fileName: upload.fileName,
      strict: fields.data.strict, score: fields.data.score, qualify: fields.data.qualify,
    });
    if (!result.ok) return sendFailure(reply, result);
    return reply.code(result.value.dryRun ? 200 : 201).send(toImportSummaryDto(result.value));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function importsRoutes(server: FastifyInstance, deps: ServerDeps): void {
  // Multipart parsing only exists inside this plugin scope: no other route accepts uploads.
  server.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 12, fieldSize: 64 * 1024 } });
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const tags = ['imports'];

    app.post('/api/v1/imports', {
      config: { permission: 'write' },
      schema: {
        tags, consumes: ['multipart/form-data'],
        summary: 'Import a CSV file (multipart: file + entity, preset, dry_run, mapping, strict, score, qualify)',
        description: 'Salesforce and HubSpot export column names are recognized (preset auto-detected). Bad rows are reported (row, column, value, reason), never fatal; a bad optional cell is dropped with a warning and the row kept unless strict=true; a file that is not UTF-8 or lacks required columns is refused before anything is written. The imported people are scored under the active definition (score=false skips it; qualify=true opens MQLs for those it qualifies). 201 with the summary; 200 for a dry run.',
        response: { 200: importSummaryDto, 201: importSummaryDto, 413: errorSchema, 415: errorSchema, ...errorResponses },
      },
    }, (request, reply) => uploadHandler(deps, request, reply));

    app.get('/api/v1/imports/:id', {
      config: { permission: 'read' },
      schema: { tags, summary: 'An import run and its counts', params: idParams, response: { 200: importRunDto, ...errorResponses } },
    }, async (request, reply) => {
      const run = await findImportRun(deps.app, principalOf(request).workspaceId, request.params.id);
      return run.ok ? toImportRunDto(run.value) : sendFailure(reply, run);
    });

    app.get('/api/v1/imports/:id/errors.csv', {
      config: { permission: 'read' },
      schema: { tags, summary: 'The per-row error report of an import run (CSV: row, column, value, reason)', params: idParams, produces: ['text/csv'] },
    }, async (request, reply) => {
      const workspaceId = principalOf(request).workspaceId;
      const run = await findImportRun(deps.app, workspaceId, request.params.id);
      if (!run.ok) return sendFailure(reply, run);
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${run.value.id}-errors.csv"`);
      return reply.send(Readable.from(importErrorReport(deps.app, workspaceId, run.value.id)));
    });
  });
}
