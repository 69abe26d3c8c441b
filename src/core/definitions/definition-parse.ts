import type { z } from 'zod';
import { CST, Lexer, LineCounter, parseDocument } from 'yaml';
import { fail, ok, type ErrorDetail, type Result } from '../result.ts';
import { storableIssues } from '../storable.rules.ts';
import { checkDefinition, type DefinitionRefs } from './definition-checks.ts';
import { formatPath, leadDefinitionSchema, type LeadDefinition } from './definition-schema.ts';

function zodDetails(error: z.ZodError): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ path: formatPath([...issue.path, key]), message: `unknown field '${key}'` });
    } else {
      details.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return details;
}

/**
 * Validates a lead definition document: shape first (strict), then meaning — band order,
 * references to content assets and custom fields, operators that fit their field.
 * @example parseDefinition(body, { contentIds: new Set(['c1']), customFields: new Set(['plan']) })
 */
export function parseDefinition(input: unknown, refs: DefinitionRefs): Result<LeadDefinition> {
  // Before zod (recursive) and before storage: no NUL, broken Unicode or hostile depth.
  const unstorable = storableIssues(input, { limits: { maxDepth: 32 } });
  if (unstorable.length) return fail('ValidationFailed', summary(unstorable), unstorable);
  const parsed = leadDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const details = zodDetails(parsed.error);
    return fail('ValidationFailed', summary(details), details);
  }
  const details = checkDefinition(parsed.data, refs);
  if (details.length) return fail('ValidationFailed', summary(details), details);
  return ok(parsed.data);
}

function summary(details: ErrorDetail[]): string {
  const first = details[0];
  const head = first ? `${first.path || '(document)'}: ${first.message}` : 'invalid';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `The lead definition is invalid: ${head}${more}.`;
}

/**
 * Parses YAML or JSON text, then validates it like parseDefinition. Syntax errors name the line
 * and column; for YAML, validation errors also name the line of the offending value.
 */
/** A definition document is a few KB; this bounds parsing work on hostile text. */
export const MAX_DEFINITION_CHARS = 256 * 1024;
/** Flow collections ([…], {…}) nested deeper than this are refused before parsing. */
const MAX_YAML_FLOW_DEPTH = 64;
/** Block nesting is bounded by the indentation column where a line's content starts. */
const MAX_YAML_INDENT = 256;
/** YAML anchors are legitimate for shared rule fragments; a "billion laughs" document needs thousands. */
const MAX_YAML_ALIASES = 200;

export function parseDefinitionText(source: string, format: 'yaml' | 'json', refs: DefinitionRefs): Result<LeadDefinition> {
  if (source.length > MAX_DEFINITION_CHARS) {
    const message = `the document is ${source.length} characters; the limit is ${MAX_DEFINITION_CHARS}. Remove unused rules or comments.`;
    return fail('ValidationFailed', `The lead definition is too large: ${message}`, [{ path: 'document', message }]);
  }
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = /position (\d+)/.exec(message);
      const where = position ? lineColumn(source, Number(position[1])) : null;
      const at = where ? ` at line ${where.line}, column ${where.column}` : '';
      return fail('ValidationFailed', `JSON syntax error${at}: ${message}`, [{ path: 'document', message: `JSON syntax error${at}` }]);
    }
    return parseDefinition(value, refs);
  }
  const tooDeep = yamlNestingIssue(source);
  if (tooDeep) return fail('ValidationFailed', `The lead definition is nested too deeply: ${tooDeep}`, [{ path: 'document', message: tooDeep }]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    const at = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    const reason = (syntax.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return fail('ValidationFailed', `YAML syntax error${at}: ${reason}`, [{ path: 'document', message: `YAML syntax error${at}: ${reason}` }]);
  }
  let value: unknown;
  try {
    // maxAliasCount bounds alias expansion (the "billion laughs" document); toJS throws past it.
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    const message = `the YAML expands too many aliases (${error instanceof Error ? error.message : String(error)}). Write the rules out or use fewer anchors (*alias) per document (at most ${MAX_YAML_ALIASES}).`;
    return fail('ValidationFailed', `The lead definition cannot be read: ${message}`, [{ path: 'document', message }]);
  }
  const result = parseDefinition(value, refs);
  if (result.ok) return result;
  const details = result.details.map((d) => {
    const line = yamlLine(doc, lineCounter, d.path);
    return line ? { path: d.path, message: `${d.message} (line ${line})` } : d;
  });
  return fail(result.code, result.message, details);
}

/**
 * The yaml parser and toJS recurse once per nesting level: a few thousand levels overflow the
 * stack, and V8 can abort the whole process (not throw) when it compiles a regular expression at
 * the edge of an exhausted stack. So hostile depth is refused before parsing, from yaml's own
 * lexer (a flat token stream that knows quotes and comments): flow collections by counting
 * brackets, block collections by the column where a line's content starts (each block level
 * needs at least one more column).
 */
function yamlNestingIssue(source: string): string | null {
  let flowDepth = 0;
  let line = 1;
  let column = 0;
  let lineHasContent = false;
  for (const token of new Lexer().lex(source)) {
    const type = CST.tokenType(token);
    if (type === 'newline') {
      line++;
      column = 0;
      lineHasContent = false;
      continue;
    }
    if (type === 'flow-map-start' || type === 'flow-seq-start') {
      if (++flowDepth > MAX_YAML_FLOW_DEPTH) return `line ${line} nests lists or maps more than ${MAX_YAML_FLOW_DEPTH} levels deep. Flatten the document.`;
    } else if (type === 'flow-map-end' || type === 'flow-seq-end') flowDepth = Math.max(0, flowDepth - 1);
    const structural = type === 'space' || type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind' || type === 'doc-mode';
    if (!structural && type !== null && !lineHasContent) {
      if (column > MAX_YAML_INDENT) return `line ${line} starts its content beyond column ${MAX_YAML_INDENT}. Flatten the document.`;
      lineHasContent = true;
    }
    if (type !== 'doc-mode' && type !== 'scalar') column += token.length;
  }
  return null;
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) { line++; start = i + 1; }
  }
  return { line, column: offset - start + 1 };
}

function yamlLine(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: string): number | null {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  // Walk up until a node exists (an unknown or missing field points at its parent).
  for (let n = keys.length; n >= 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
  }
  return null;
}
