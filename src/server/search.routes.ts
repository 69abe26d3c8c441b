import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { searchEverything } from '../app/lists.ts';
import { principalOf } from './auth.guard.ts';
import { errorResponses } from './contract/common.contract.ts';
import { toAccountDto, toContactDto } from './contract/contacts.contract.ts';
import { searchAnswerDto } from './contract/search.contract.ts';
import type { ServerDeps } from './create-server.ts';


export function searchRoutes(server: FastifyInstance, deps: ServerDeps): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/search', {
    config: { permission: 'read' },
    schema: {
      tags: ['lists'], summary: 'The header search: a person by exact email first, then people and accounts whose name, email or domain contains the text',
      querystring: z.strictObject({ q: z.string().trim().min(1, 'type at least one character').max(200), limit: z.coerce.number().int().min(1).max(20).default(8) }),
      response: { 200: searchAnswerDto, ...errorResponses },
    },
  }, async (request) => {
    const hits = await searchEverything(deps.app, principalOf(request).workspaceId, request.query.q, request.query.limit);
    return { people: hits.people.map((p) => ({ ...toContactDto(p), account: p.account ? toAccountDto(p.account) : null })), accounts: hits.accounts.map(toAccountDto) };
  });
}
