import type { z } from 'zod';
import { didYouMean } from '../did-you-mean';

/**
 * Zod's issues for one block of the blocks config, as lines a user can act
 * on: the file, the block (index and id), the path inside it, and what was
 * expected; an unknown field gets "did you mean …" when a known one is close.
 * `where` is the block's place ("config/blocks.yaml: blocks[1] (id "hero-product")").
 */
export function blockIssueLines(error: z.ZodError, schema: z.ZodType, raw: unknown, where: string): string[] {
  const issues = flatten(error.issues);
  // A misspelt required field is reported once, as the unknown key with its suggestion, not also as the field missing.
  const suggested = new Set<string>();
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = objectKeysAt(schema, issue.path);
    const present = valueAt(raw, issue.path);
    for (const key of issue.keys) {
      const hint = didYouMean(key, known.filter((name) => !hasKey(present, name)));
      const closest = hint && /"(.*)"/.exec(hint)?.[1];
      if (closest) suggested.add(pathText([...issue.path, closest]));
      lines.push(`${where}${pathText([...issue.path, key])}: unknown field; ${hint ?? `expected one of: ${known.join(', ')}`}`);
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const at = pathText(issue.path);
    const value = valueAt(raw, issue.path);
    if (value === undefined && suggested.has(at)) continue;
    lines.push(`${where}${at}: ${expectation(issue, value)}`);
  }
  return lines;
}

/** A union's issues are those of the branch the value was meant for (an object for `lockAtFirstOpen: { marks }`), when one stands out. */
function flatten(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0));
      if (meant.length === 1) return flatten(meant[0] as z.core.$ZodIssue[], path);
    }
    return [{ ...issue, path } as z.core.$ZodIssue];
  });
}

function expectation(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && issue.code === 'invalid_type') return `missing; expected ${article(issue.expected)}`;
  if (issue.code === 'invalid_format' && issue.format === 'url') return `expected an http(s) URL such as https://shop.example/sale; received ${describe(value)}`;
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const options = issue.values.filter((option): option is string => typeof option === 'string');
    const hint = didYouMean(value, options);
    return `expected one of: ${options.join(', ')}; received ${describe(value)}${hint ? `; ${hint}` : ''}`;
  }
  if (issue.code === 'invalid_type') return `expected ${article(issue.expected)}; received ${describe(value)}`;
  if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big)/.test(issue.message)) return `${bound(issue)}; received ${describe(value)}`;
  // zod's own wording ("Too small: expected number to be >=0") or the schema's ("expected lowercase letters…").
  const message = issue.message.replace(/^(Invalid input|Invalid option|Invalid|Too small|Too big): /, '').replace(/, received \w+$/, '');
  return `${message}; received ${describe(value)}`;
}

/** zod's default bound messages, as a phrase: "expected at least 60", "expected at least 1 item". */
function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const exclusive = issue.inclusive === false;
  const word = small ? (exclusive ? 'more than' : 'at least') : exclusive ? 'less than' : 'at most';
  const unit = issue.origin === 'array' ? ` item${limit === 1 ? '' : 's'}` : issue.origin === 'string' ? ` character${limit === 1 ? '' : 's'}` : '';
  return `expected ${word} ${limit}${unit}`;
}

function article(type: string): string {
  if (type === 'array') return 'a list';
  if (type === 'object' || type === 'record') return 'a mapping of keys to values';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A value as a message quotes it: JSON, cut at 60 characters; `nothing` when absent. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** `.productId`, `.variants[0].messages`: the path as it reads after the block's place. */
function pathText(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

/** The value at `path` inside `root`; undefined where the path leaves the objects. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function hasKey(value: unknown, key: string): boolean {
  return value !== null && typeof value === 'object' && key in value;
}

/** The schema under wrappers that do not change a value's shape (optional, default, a transform's input…). */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as unknown as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType; getter?: () => z.core.$ZodType };
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else return current;
  }
}

/** The keys an object at `path` may have, per the schema (through lists, records and unions). */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.core.$ZodType[] = [unwrap(schema)];
  for (const key of path) {
    candidates = candidates.flatMap((candidate) => {
      const def = candidate._zod.def as unknown as {
        type: string;
        shape?: Record<string, z.core.$ZodType>;
        element?: z.core.$ZodType;
        valueType?: z.core.$ZodType;
        options?: z.core.$ZodType[];
      };
      const options = def.type === 'union' ? (def.options ?? []).map(unwrap) : [candidate];
      return options.flatMap((option) => {
        const own = option._zod.def as typeof def;
        if (own.type === 'object' && typeof key === 'string' && own.shape?.[key]) return [unwrap(own.shape[key])];
        if (own.type === 'array' && typeof key === 'number' && own.element) return [unwrap(own.element)];
        if (own.type === 'record' && own.valueType) return [unwrap(own.valueType)];
        return [];
      });
    });
  }
  const keys = candidates.flatMap((candidate) => {
    const def = candidate._zod.def as unknown as { type: string; shape?: Record<string, unknown>; options?: z.core.$ZodType[] };
    const objects = def.type === 'union' ? (def.options ?? []).map(unwrap) : [candidate];
    return objects.flatMap((object) => Object.keys((object._zod.def as unknown as { shape?: Record<string, unknown> }).shape ?? {}));
  });
  return [...new Set(keys)];
}
