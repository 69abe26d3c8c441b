import { describe, expect, it } from 'vitest';
import { permissionsFor } from '../../src/core/access.ts';
import type { ConsentChange } from '../../src/core/consent.rules.ts';
import { consentChangesFor, ingestTrustOf, traitWriteMode } from '../../src/core/ingest-trust.rules.ts';

const change = (status: ConsentChange['status'], source: string, purpose: ConsentChange['purpose'] = 'email_marketing'): ConsentChange =>
  ({ purpose, status, source, at: '2031-01-02T00:00:00.000Z', basis: 'consent' });
const granted = (source: string) => ({ email_marketing: { status: 'granted', source, at: '2031-01-01T00:00:00.000Z', basis: 'consent' } });

describe('ingest key kinds', () => {
  it('only an ingest:server key is trusted to overwrite; ingest (the browser key) fills', () => {
    expect(ingestTrustOf(permissionsFor({ scopes: ['ingest'] }))).toBe('public');
    expect(ingestTrustOf(permissionsFor({ scopes: ['ingest:server'] }))).toBe('server');
    expect(permissionsFor({ scopes: ['ingest:server'] }).has('ingest')).toBe(true);
    // A personal key is limited by its user's role: only admins may hold the server kind.
    expect(ingestTrustOf(permissionsFor({ scopes: ['ingest:server'], role: 'marketing' }))).toBe('public');
    expect(ingestTrustOf(permissionsFor({ scopes: ['ingest:server'], role: 'admin' }))).toBe('server');
    expect(traitWriteMode('public')).toBe('fill_empty');
    expect(traitWriteMode('server')).toBe('overwrite');
  });

  it("a public door keeps another channel's grant, may change its own channel's, and sources records by its own channel", () => {
    expect(consentChangesFor('public', 'segment', granted('csv:hubspot'), [change('withdrawn', 'segment:identify')])).toEqual({ kept: [], ignored: [change('withdrawn', 'segment:identify')] });
    expect(consentChangesFor('public', 'form', granted('form:newsletter'), [change('refused', 'form:newsletter')]).kept).toEqual([change('refused', 'form:newsletter')]);
    expect(consentChangesFor('public', 'segment', {}, [change('granted', 'csv:forged')]).kept).toEqual([change('granted', 'segment:identify')]);
    // Other purposes and refusals recorded elsewhere are not a grant to protect.
    expect(consentChangesFor('public', 'segment', granted('api'), [change('refused', 'segment:identify', 'tracking')]).kept).toHaveLength(1);
    expect(consentChangesFor('public', 'segment', { email_marketing: { status: 'refused', source: 'api', at: '2031-01-01T00:00:00.000Z', basis: 'consent' } }, [change('granted', 'segment:identify')]).kept).toHaveLength(1);
  });

  it('a server door records everything as given', () => {
    const changes = [change('withdrawn', 'csv:hubspot')];
    expect(consentChangesFor('server', 'segment', granted('api'), changes)).toEqual({ kept: changes, ignored: [] });
  });
});
