import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { compileLogic } from './compile-logic';
import type { RuleFacts } from './facts';

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

/** The roots a `var` may start from: the facts every rule is evaluated against (see facts.ts). */
export const factRoots = ['subscriber', 'campaign', 'now', 'open', 'product', 'current', 'accumulator'] as const;

export class RuleError extends Error {
  override name = 'RuleError';
}

function checkRule(node: unknown, where: string): void {
  if (Array.isArray(node)) {
    node.forEach((child, index) => checkRule(child, `${where}[${index}]`));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    throw new RuleError(`${where}: a rule object must have exactly one operator key, e.g. {"<=": [{"var": "product.stock"}, 5]}. Received keys: ${keys.join(', ') || 'none'}.`);
  }
  const operation = keys[0] as string;
  if (!knownOperations.has(operation)) {
    throw new RuleError(`${where}: unknown JSON Logic operator "${operation}". Allowed: ${[...knownOperations].join(' ')}.`);
  }
  const args = (node as Record<string, unknown>)[operation];
  if (operation === 'var') {
    const path = Array.isArray(args) ? args[0] : args;
    // Inside filter/map/some the data is the array element, so only the first segment of dotted paths is checked there.
    if (typeof path === 'string' && path !== '' && path.includes('.')) {
      const root = path.split('.')[0] as string;
      if (!(factRoots as readonly string[]).includes(root)) {
        throw new RuleError(`${where}: {"var": "${path}"} starts with "${root}". Expected one of: ${factRoots.join(', ')}.`);
      }
    }
  }
  checkRule(args, `${where}.${operation}`);
}

/** Validates a rule's shape and returns a predicate. `where` names the rule in error messages. */
export function compileRule(rule: unknown, where: string): CompiledRule {
  if (typeof rule === 'boolean') return () => rule;
  checkRule(rule, where);
  const evaluate = compileLogic(rule);
  // JSON Logic's truthiness (an empty array is false), as `if`, `and`, `!` and the other operators use it.
  return (facts) => jsonLogic.truthy(evaluate(facts));
}
