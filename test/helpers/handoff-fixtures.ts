import type { TestApp } from './test-app.ts';

/** Monday 2031-03-03 09:00 UTC: simulated time lies after the wall clock, so jobs queued "now" by the database are due too. */
export const MONDAY_9 = new Date('2031-03-03T09:00:00Z');
export const at = (hhmm: string, day = '2031-03-03') => new Date(`${day}T${hhmm}:00Z`);

export const json = (r: { body: string }) => JSON.parse(r.body);

export async function expectStatus(promise: Promise<{ statusCode: number; body: string }>, status: number) {
  const r = await promise;
  if (r.statusCode !== status) throw new Error(`expected HTTP ${status}, got ${r.statusCode}: ${r.body}`);
  return JSON.parse(r.body);
}

export async function createRep(t: TestApp, name: string, fields: { team?: string; role?: string; managerId?: string } = {}) {
  return expectStatus(t.api('POST', '/api/v1/users', {
    email: `${name}@acme.test`, name, role: fields.role ?? 'sales', team: fields.team ?? 'EMEA', manager_id: fields.managerId ?? null,
  }), 201) as Promise<{ id: string; email: string; name: string }>;
}

let seq = 0;
/** A contact with an open lead at inquiry. */
export async function createLead(t: TestApp, fields: Record<string, unknown> = {}): Promise<{ id: string; contact_id: string }> {
  seq += 1;
  const contact = await expectStatus(t.api('POST', '/api/v1/contacts', { email: `person${seq}-${Date.now()}@buyer${seq}.example`, first_name: 'Jane', last_name: `Doe${seq}`, title: 'CTO', ...fields }), 201);
  return expectStatus(t.api('POST', '/api/v1/leads', { contact_id: contact.id }), 201);
}

export async function moveLead(t: TestApp, leadId: string, body: Record<string, unknown>, key?: string) {
  return expectStatus(t.api('POST', `/api/v1/leads/${leadId}/transitions`, body, key), 201) as Promise<{ lead: { owner_id: string | null; stage: string; recycle_count: number } }>;
}

export async function useRoundRobin(t: TestApp, team = 'EMEA') {
  return expectStatus(t.api('PUT', '/api/v1/routing', { rules: [{ kind: 'round_robin', team }, { kind: 'fallback_queue', queue: 'unassigned' }] }), 200);
}
