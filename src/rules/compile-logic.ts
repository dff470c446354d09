import jsonLogic from 'json-logic-js';

/** A JSON Logic expression turned into a function of the data it reads. */
export type Evaluate = (data: unknown) => unknown;

/**
 * Compiles a JSON Logic expression into nested closures, once, when the
 * blocks config loads. `jsonLogic.apply` walks the rule object on every call
 * (Object.keys per node, arguments arrays, `apply`); on a recommendations
 * open the exclusion and badge rules run for every candidate, and that walk
 * was most of their cost.
 *
 * Semantics are json-logic-js's own, operator by operator (a differential test
 * compares the two on a corpus of rules and facts). Only the operators rules
 * here use on every open are compiled: comparisons, `!`, `!!`, `in`, `%`, `-`,
 * `/`, `var` with a constant path, `if`/`?:`, `and`, `or`. Any other node
 * (filter, map, reduce, all, none, some, missing, cat, +, *, min, max, merge,
 * substr, a `var` with a computed path) is evaluated by `jsonLogic.apply`
 * itself, so its behaviour cannot drift.
 */
export function compileLogic(logic: unknown): Evaluate {
  if (Array.isArray(logic)) {
    const items = logic.map(compileLogic);
    return (data) => items.map((item) => item(data));
  }
  if (!jsonLogic.is_logic(logic)) return () => logic;
  const op = Object.keys(logic as object)[0] as string;
  const raw = (logic as Record<string, unknown>)[op];
  const values = Array.isArray(raw) ? raw : [raw];
  const interpreted: Evaluate = (data) => jsonLogic.apply(logic as Parameters<typeof jsonLogic.apply>[0], data as Record<string, unknown>);

  switch (op) {
    case 'var':
      return compileVar(values) ?? interpreted;
    case 'if':
    case '?:':
      return compileIf(values.map(compileLogic));
    case 'and':
      return compileShortCircuit(values.map(compileLogic), false);
    case 'or':
      return compileShortCircuit(values.map(compileLogic), true);
  }
  const binary = BINARY[op];
  if (binary) {
    const [a = NULL, b = NULL] = values.map(compileLogic);
    return (data) => binary(a(data), b(data));
  }
  if (op === '<' || op === '<=') {
    const strict = op === '<';
    const [a = NULL, b = NULL, c] = values.map(compileLogic);
    if (c === undefined) return strict ? (data) => (a(data) as number) < (b(data) as number) : (data) => (a(data) as number) <= (b(data) as number);
    return (data) => {
      const low = a(data) as number;
      const middle = b(data) as number;
      const high = c(data) as number;
      // json-logic-js: a value of undefined in the third place means "no upper bound".
      if (high === undefined) return strict ? low < middle : low <= middle;
      return strict ? low < middle && middle < high : low <= middle && middle <= high;
    };
  }
  if (op === '!' || op === '!!') {
    const [a = NULL] = values.map(compileLogic);
    return op === '!' ? (data) => !jsonLogic.truthy(a(data)) : (data) => jsonLogic.truthy(a(data));
  }
  if (op === '-') {
    const [a = NULL, b] = values.map(compileLogic);
    return (data) => {
      const right = b === undefined ? undefined : b(data);
      return right === undefined ? -(a(data) as number) : (a(data) as number) - (right as number);
    };
  }
  return interpreted;
}

/** What json-logic-js passes for an argument the rule leaves out. */
const NULL: Evaluate = () => undefined;

/** JSON Logic's own comparisons, loose equality included. */
const BINARY: Record<string, ((a: unknown, b: unknown) => unknown) | undefined> = {
  '==': (a, b) => a == b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a != b,
  '!==': (a, b) => a !== b,
  '>': (a, b) => (a as number) > (b as number),
  '>=': (a, b) => (a as number) >= (b as number),
  '%': (a, b) => (a as number) % (b as number),
  '/': (a, b) => (a as number) / (b as number),
  in: (a, b) => {
    const container = b as { indexOf?: (value: unknown) => number } | null | undefined;
    if (!container || typeof container.indexOf === 'undefined') return false;
    return container.indexOf(a) !== -1;
  },
};

/** `var` with a constant path (and default): the path is split once. Undefined when the path is computed. */
function compileVar(values: unknown[]): Evaluate | undefined {
  const [path, fallback] = values;
  if (jsonLogic.is_logic(path) || Array.isArray(path) || jsonLogic.is_logic(fallback) || Array.isArray(fallback)) return undefined;
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === '' || path === null) return (data) => data;
  const steps = String(path).split('.');
  return (data) => {
    let value = data as Record<string, unknown> | null | undefined;
    for (const step of steps) {
      if (value === null || value === undefined) return notFound;
      value = value[step] as Record<string, unknown> | null | undefined;
      if (value === undefined) return notFound;
    }
    return value;
  };
}

function compileIf(branches: Evaluate[]): Evaluate {
  return (data) => {
    let i = 0;
    for (; i < branches.length - 1; i += 2) {
      if (jsonLogic.truthy((branches[i] as Evaluate)(data))) return (branches[i + 1] as Evaluate)(data);
    }
    if (branches.length === i + 1) return (branches[i] as Evaluate)(data);
    return null;
  };
}

/**
 * `and` (stopAt false) and `or` (stopAt true), as json-logic-js answers them:
 * the first value whose truthiness is `stopAt`, else the last (undefined for
 * no arguments).
 */
function compileShortCircuit(items: Evaluate[], stopAt: boolean): Evaluate {
  return (data) => {
    let current: unknown;
    for (const item of items) {
      current = item(data);
      if (jsonLogic.truthy(current) === stopAt) return current;
    }
    return current;
  };
}
