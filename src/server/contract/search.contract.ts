import { z } from 'zod';
import { accountDto } from './contacts.contract.ts';
import { personRowDto } from './lists.contract.ts';

/** The header search's answer: people (an exact email match first), then accounts. */
export const searchAnswerDto = z.object({ people: z.array(personRowDto), accounts: z.array(accountDto) });
