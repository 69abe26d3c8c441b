import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationIdFor } from '../../src/server/contract/openapi-document.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// The OpenAPI document is what client and workflow-tool generators read: it must carry an operationId on every
// operation, JSON Schema 2020-12 schemas, a documented success answer, unambiguous paths and the right
// authentication per door; Redocly's linter (the engine of `redocly lint`, recommended rules) finds no error.

type Operation = { operationId?: string; responses?: Record<string, unknown>; security?: Array<Record<string, unknown>>; 'x-leadloop-permission'?: string };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let t: TestApp;
let doc: Document;
const operations: Array<{ path: string; method: string; op: Operation }> = [];

beforeAll(async () => {
  t = await createTestApp();
  const r = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  expect(r.statusCode).toBe(200);
  doc = r.json();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) if (methods.includes(method)) operations.push({ path, method, op });
  }
});
afterAll(async () => t?.close());

describe('the OpenAPI document', () => {
  it('names every operation once', () => {
    expect(operations.length).toBeGreaterThan(100);
    const missing = operations.filter(({ op }) => !op.operationId).map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // Generated from method and path, so routes added later get one too.
    expect(doc.paths['/api/v1/leads/{id}/transitions']?.post?.operationId).toBe('createLeadsByIdTransitions');
    expect(doc.paths['/v1/batch']?.post?.operationId).toBe('createSegmentBatch');
    expect(operationIdFor('GET', '/api/v1/reports/:name')).toBe('getReportsByName');
  });

  it('documents a success answer for every operation', () => {
    const without = operations.filter(({ op }) => !Object.keys(op.responses ?? {}).some((code) => /^2/.test(code)));
    expect(without.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    const report = doc.paths['/api/v1/reports/{name}']?.get?.responses?.['200'] as { content: Record<string, unknown> };
    expect(Object.keys(report.content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
  });

  it('has component schemas that are valid JSON Schema 2020-12 and compile', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const names = Object.keys(doc.components.schemas);
    expect(names.length).toBeGreaterThan(30);
    const invalid: string[] = [];
    for (const name of names) {
      if (!ajv.validateSchema(doc.components.schemas[name] as object)) invalid.push(`${name}: ${ajv.errorsText(ajv.errors)}`);
    }
    // And every schema inline in an operation (parameters, bodies, answers).
    const inline = (value: unknown, where: string): void => {
      if (!value || typeof value !== 'object') return;
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'schema' && inner && typeof inner === 'object' && !ajv.validateSchema(inner)) invalid.push(`${where}: ${ajv.errorsText(ajv.errors)}`);
        else inline(inner, `${where}/${key}`);
      }
    };
    inline(doc.paths, '#/paths');
    expect(invalid).toEqual([]);
    // Compiled as a whole, so every $ref between components resolves.
    ajv.addSchema({ $id: 'https://leadloop.invalid/openapi.json', components: { schemas: doc.components.schemas } });
    for (const name of names) ajv.compile({ $ref: `https://leadloop.invalid/openapi.json#/components/schemas/${name}` });
  });

  it('states the authentication of each door', () => {
    const schemesOf = (op: Operation | undefined) => (op?.security ?? []).flatMap((s) => Object.keys(s)).sort();
    for (const { path, op } of operations.filter(({ path }) => path.startsWith('/v1/'))) {
      expect(schemesOf(op), path).toEqual(['ingestBearer', 'ingestKey']);
    }
    expect(schemesOf(doc.paths['/api/v1/contacts']?.get)).toEqual(['apiKey', 'session']);
    expect(doc.paths['/api/v1/contacts']?.get?.['x-leadloop-permission']).toBe('read');
    expect(doc.paths['/api/v1/auth/oidc/callback']?.get?.security).toEqual([]);
    expect(doc.components.securitySchemes.ingestKey).toMatchObject({ type: 'http', scheme: 'basic' });
  });

  it('pages every list by cursor: limit and cursor in, next_cursor out', () => {
    // A list operation: a GET whose success answer is an array, or an object holding its rows in `data`/`items`.
    const schemaOf = (s: unknown): Record<string, any> | undefined => {
      const ref = (s as { $ref?: string } | undefined)?.$ref;
      return ref ? doc.components.schemas[ref.split('/').pop()!] as Record<string, any> : s as Record<string, any> | undefined;
    };
    const lists = operations.filter(({ method, op }) => {
      if (method !== 'get') return false;
      const body = schemaOf((op.responses?.['200'] as any)?.content?.['application/json']?.schema);
      if (!body) return false;
      if (body.type === 'array') return true;
      return ['data', 'items'].some((key) => schemaOf(body.properties?.[key])?.type === 'array');
    });
    expect(lists.length).toBeGreaterThan(40);
    const lacking = lists.filter(({ op }) => {
      const query = ((op as any).parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name);
      const body = schemaOf((op.responses?.['200'] as any).content['application/json'].schema)!;
      return !(query.includes('cursor') && query.includes('limit') && body.properties && 'next_cursor' in body.properties);
    }).map(({ path }) => path);
    expect(lacking.sort()).toEqual([...stillWithoutCursor].sort());
  });

  it('passes the Redocly linter (recommended rules, ambiguous paths an error) without errors', async () => {
    // `recommended` only warns on ambiguous paths; generators need each URL to match one path, so it is an error here.
    const config = await createConfig({ extends: ['recommended'], rules: { 'no-ambiguous-paths': 'error' } });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    // The rule runs (a document with the old calendar path beside the content stats is refused).
    const old = { ...doc, paths: { ...doc.paths, '/api/v1/content/calendar/{id}': doc.paths['/api/v1/content-calendar/{id}']! } };
    const flagged = await lintFromString({ source: JSON.stringify(old), absoluteRef: 'openapi.json', config });
    expect(flagged.filter((p) => p.ruleId === 'no-ambiguous-paths' && p.severity === 'error').length).toBeGreaterThan(0);
  });
});

/**
 * Lists that do not page yet (issue #20 item 4, unfinished). This list may only shrink: a new list without a cursor
 * fails the test above, and so does a list here that gained one (remove it from here then).
 */
const stillWithoutCursor: string[] = [];
