import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { compileLogic } from './compile-logic';
import { didYouMean } from '../did-you-mean';
import { FACT_FIELDS, type RuleFacts } from './facts';

/**
 * Rules are JSON Logic (https://jsonlogic.com): a standard, serialisable
 * format a CRM team can write in YAML. They are checked when the blocks
 * config loads, so a typo fails at start-up with its location, not at 3 a.m.
 * during a send.
 */
export type Rule = RulesLogic;
export type CompiledRule = (facts: RuleFacts) => boolean;

const knownOperations = new Set([
  '==', '===', '!=', '!==', '>', '>=', '<', '<=', '!!', '!', '%', 'in', 'cat', 'substr', '+', '*', '-', '/',
  'min', 'max', 'merge', 'var', 'missing', 'missing_some', 'if', '?:', 'and', 'or', 'filter', 'map', 'reduce',
  'all', 'none', 'some',
]);

/**
 * What a `var` reads at a point of a rule: the facts (facts.ts) at the top;
 * inside filter/map/all/none/some the array's element, whose shape the
 * config does not tell; inside reduce `current` and `accumulator`.
 */
type Scope = 'facts' | 'element' | 'reduce';

/** Operators whose second argument runs once per element of the first (json-logic-js). */
const PER_ELEMENT = new Set(['filter', 'map', 'all', 'none', 'some']);

/** A table of facts: each field a value, a list, or an object with fields of its own (open.location). */
interface FieldTable {
  readonly [field: string]: true | 'list' | FieldTable;
}

/** Every fact path a rule may name: the namespaces and their fields ("campaign", "campaign.secondsLeft", "open.location.city"). */
const FACT_PATHS: readonly string[] = pathsOf(FACT_FIELDS as FieldTable, '');

function pathsOf(fields: FieldTable, prefix: string): string[] {
  return Object.entries(fields).flatMap(([field, kind]) => [`${prefix}${field}`, ...(typeof kind === 'object' ? pathsOf(kind, `${prefix}${field}.`) : [])]);
}

export class RuleError extends Error {
  override name = 'RuleError';
}

/** Why a fact path is not one (undefined when it is): names the path, the closest fact and what was expected. */
function unknownFact(path: string): string | undefined {
  if (path === '') return undefined;
  const parts = path.split('.');
  const suggestion = (): string => {
    const hint = didYouMean(path, FACT_PATHS);
    return hint ? `; ${hint}` : '';
  };
  let fields = FACT_FIELDS as FieldTable;
  let prefix = '';
  for (const [index, part] of parts.entries()) {
    const kind = Object.hasOwn(fields, part) ? fields[part] : undefined;
    if (kind === undefined) {
      return index === 0
        ? `unknown fact "${path}"${suggestion()} (expected a fact of ${Object.keys(FACT_FIELDS).join(', ')}; README "Rules" lists them)`
        : `unknown fact "${path}"${suggestion()} (expected one of: ${Object.keys(fields).map((name) => `${prefix}${name}`).join(', ')})`;
    }
    const rest = parts.slice(index + 1);
    if (rest.length === 0) return undefined;
    if (typeof kind === 'object') {
      fields = kind;
      prefix = `${prefix}${part}.`;
      continue;
    }
    if (kind === 'list' && rest.length === 1 && /^(\d+|length)$/.test(rest[0] as string)) return undefined;
    return `"${prefix}${part}" is ${kind === 'list' ? 'a list: after it only an index or "length" may follow' : 'a value with no fields'}; received "${path}"`;
  }
  return undefined;
}

function checkPath(path: unknown, scope: Scope, where: string): void {
  if (typeof path !== 'string' && typeof path !== 'number') return;
  const text = String(path);
  if (scope === 'facts') {
    const problem = unknownFact(text);
    if (problem) throw new RuleError(`${where}: ${problem}.`);
  } else if (scope === 'reduce' && text !== '') {
    const root = text.split('.')[0] as string;
    if (root !== 'current' && root !== 'accumulator') throw new RuleError(`${where}: inside reduce a rule reads "current" or "accumulator"; received "${text}".`);
  }
}

function checkRule(node: unknown, where: string, scope: Scope = 'facts'): void {
  if (Array.isArray(node)) {
    node.forEach((child, index) => checkRule(child, `${where}[${index}]`, scope));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    throw new RuleError(`${where}: a rule object must have exactly one operator key, e.g. {"<=": [{"var": "product.stock"}, 5]}. Received keys: ${keys.join(', ') || 'none'}.`);
  }
  const operation = keys[0] as string;
  if (!knownOperations.has(operation)) {
    const hint = didYouMean(operation, knownOperations);
    throw new RuleError(`${where}: unknown JSON Logic operator "${operation}"${hint ? `; ${hint}` : ''}. Allowed: ${[...knownOperations].join(' ')}.`);
  }
  const args = (node as Record<string, unknown>)[operation];
  const at = `${where}.${operation}`;
  const list = Array.isArray(args) ? args : [args];
  if (operation === 'var') {
    checkPath(list[0], scope, at);
  } else if (operation === 'missing') {
    list.forEach((path) => checkPath(path, scope, at));
  } else if (operation === 'missing_some' && Array.isArray(list[1])) {
    list[1].forEach((path) => checkPath(path, scope, at));
  }
  if (PER_ELEMENT.has(operation) || operation === 'reduce') {
    list.forEach((child, index) => checkRule(child, `${at}[${index}]`, index === 1 ? (operation === 'reduce' ? 'reduce' : 'element') : scope));
    return;
  }
  checkRule(args, at, scope);
}

/** Validates a rule's shape and returns a predicate. `where` names the rule in error messages. */
export function compileRule(rule: unknown, where: string): CompiledRule {
  if (typeof rule === 'boolean') return () => rule;
  checkRule(rule, where);
  const evaluate = compileLogic(rule);
  // JSON Logic's truthiness (an empty array is false), as `if`, `and`, `!` and the other operators use it.
  return (facts) => jsonLogic.truthy(evaluate(facts));
}
