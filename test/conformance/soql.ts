/**
 * The SOQL subset the Salesforce conformance server answers: what the connector (and a sales rep's
 * reports) send. `SELECT f, g FROM Obj [WHERE cond {AND|OR cond}] [ORDER BY f [ASC|DESC]] [LIMIT n]`,
 * conditions `field op literal` (=, !=, <, <=, >, >=, LIKE) and `field IN (…)`, literals: 'strings'
 * (backslash escapes), numbers, true/false/null, date and dateTime literals (unquoted, as SOQL
 * writes them). Anything else answers MALFORMED_QUERY, as Salesforce does.
 */
export type SoqlLiteral = string | number | boolean | null | { date: Date };
export type SoqlCondition = { field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN'; value: SoqlLiteral | SoqlLiteral[] };
export type SoqlQuery = {
  fields: string[]; object: string;
  /** Disjunction of conjunctions (AND binds tighter than OR). */
  where: SoqlCondition[][];
  orderBy: { field: string; desc: boolean } | null;
  limit: number | null;
};

export class SoqlError extends Error {}

const tokenRe = /\s*(?:('(?:\\.|[^'\\])*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))|(\d{4}-\d{2}-\d{2})|(-?\d+(?:\.\d+)?)|(!=|<=|>=|=|<|>|\(|\)|,)|([A-Za-z_][\w.]*))/y;

type Token = { kind: 'string' | 'datetime' | 'date' | 'number' | 'punct' | 'word'; text: string };

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  tokenRe.lastIndex = 0;
  let pos = 0;
  while (pos < q.length) {
    if (/^\s*$/.test(q.slice(pos))) break;
    tokenRe.lastIndex = pos;
    const m = tokenRe.exec(q);
    if (!m) throw new SoqlError(`unexpected token at position ${pos}: ${q.slice(pos, pos + 20)}`);
    pos = tokenRe.lastIndex;
    const kinds: Token['kind'][] = ['string', 'datetime', 'date', 'number', 'punct', 'word'];
    for (let i = 1; i <= 6; i++) if (m[i] !== undefined) { tokens.push({ kind: kinds[i - 1]!, text: m[i]! }); break; }
  }
  return tokens;
}

export function parseSoql(q: string): SoqlQuery {
  const tokens = tokenize(q);
  let i = 0;
  const peek = () => tokens[i];
  const word = (w: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === w;
  const expect = (w: string) => { if (!word(w)) throw new SoqlError(`expected ${w} at token ${i}`); i++; };
  const ident = () => { const t = tokens[i++]; if (!t || t.kind !== 'word') throw new SoqlError(`expected a field name at token ${i - 1}`); return t.text; };
  const literal = (): SoqlLiteral => {
    const t = tokens[i++];
    if (!t) throw new SoqlError('expected a value');
    if (t.kind === 'string') return t.text.slice(1, -1).replace(/\\(.)/g, '$1');
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'datetime') return { date: new Date(t.text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) };
    if (t.kind === 'date') return { date: new Date(`${t.text}T00:00:00Z`) };
    if (t.kind === 'word' && /^(true|false|null)$/i.test(t.text)) return t.text.toLowerCase() === 'null' ? null : t.text.toLowerCase() === 'true';
    throw new SoqlError(`unexpected value ${t.text}`);
  };
  expect('SELECT');
  const fields = [ident()];
  while (peek()?.text === ',') { i++; fields.push(ident()); }
  expect('FROM');
  const object = ident();
  const where: SoqlCondition[][] = [];
  if (word('WHERE')) {
    i++;
    let group: SoqlCondition[] = [];
    for (;;) {
      const field = ident();
      let op = tokens[i++]?.text.toUpperCase() as SoqlCondition['op'];
      if (!['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN'].includes(op)) throw new SoqlError(`unknown operator ${op}`);
      let value: SoqlCondition['value'];
      if (op === 'IN') {
        if (tokens[i++]?.text !== '(') throw new SoqlError('expected ( after IN');
        const values = [literal()];
        while (peek()?.text === ',') { i++; values.push(literal()); }
        if (tokens[i++]?.text !== ')') throw new SoqlError('expected ) after IN list');
        value = values;
      } else {
        value = literal();
      }
      op = op === ('<>' as string) ? '!=' : op;
      group.push({ field, op, value });
      if (word('AND')) { i++; continue; }
      if (word('OR')) { i++; where.push(group); group = []; continue; }
      break;
    }
    where.push(group);
  }
  let orderBy: SoqlQuery['orderBy'] = null;
  if (word('ORDER')) {
    i++; expect('BY');
    const field = ident();
    let desc = false;
    if (word('ASC')) i++;
    else if (word('DESC')) { i++; desc = true; }
    orderBy = { field, desc };
  }
  let limit: number | null = null;
  if (word('LIMIT')) { i++; const n = literal(); if (typeof n !== 'number') throw new SoqlError('LIMIT needs a number'); limit = n; }
  if (i < tokens.length) throw new SoqlError(`unexpected token ${tokens[i]!.text}`);
  return { fields, object, where, orderBy, limit };
}

type Value = string | number | boolean | null | undefined;

function comparable(v: Value | SoqlLiteral): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return v.date.getTime();
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(v)) return new Date(v.length === 10 ? `${v}T00:00:00Z` : v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).getTime();
  if (typeof v === 'string') return v.toLowerCase(); // SOQL string comparison is case-insensitive
  return v;
}

function test(c: SoqlCondition, record: Record<string, Value>): boolean {
  const actual = comparable(record[c.field]);
  if (c.op === 'IN') return (c.value as SoqlLiteral[]).some((v) => comparable(v) === actual);
  const expected = comparable(c.value as SoqlLiteral);
  if (c.op === '=') return actual === expected;
  if (c.op === '!=') return actual !== expected;
  if (c.op === 'LIKE') {
    if (typeof actual !== 'string' || typeof expected !== 'string') return false;
    const re = new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`);
    return re.test(actual);
  }
  if (actual === null || expected === null) return false;
  if (c.op === '<') return actual < expected;
  if (c.op === '<=') return actual <= expected;
  if (c.op === '>') return actual > expected;
  return actual >= expected;
}

export function matches(q: SoqlQuery, record: Record<string, Value>): boolean {
  return q.where.length === 0 || q.where.some((group) => group.every((c) => test(c, record)));
}

export function sortRecords<T extends Record<string, Value>>(q: SoqlQuery, records: T[]): T[] {
  if (!q.orderBy) return records;
  const { field, desc } = q.orderBy;
  return [...records].sort((a, b) => {
    const x = comparable(a[field]);
    const y = comparable(b[field]);
    if (x === y) return 0;
    if (x === null) return 1; // NULLS LAST
    if (y === null) return -1;
    return (x < y ? -1 : 1) * (desc ? -1 : 1);
  });
}
