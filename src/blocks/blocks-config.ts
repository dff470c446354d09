import path from 'node:path';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../config';
import { parseDeclarations, readDeclarationsFile } from '../config-file';
import { prepareExperiment } from '../experiments/prepare-experiment';
import { didYouMean } from '../did-you-mean';
import { placeholderProblem } from '../format/placeholders';
import { blockKinds, isKindName, type RegisteredKind } from '../kinds/registry';
import { resolveTheme } from '../render/theme';
import { compileRule, RuleError } from '../rules/rule';
import type { BaseBlockConfig } from './block-config';
import { blockIssueLines } from './config-issues';
import type { PreparedBlock } from './prepared-block';
import { prepareLock } from './prepare-lock';

/** The blocks the server serves, by id, validated and compiled. */
export type BlockCatalog = ReadonlyMap<string, PreparedBlock>;

const fileSchema = z.object({ blocks: z.array(z.looseObject({ id: z.unknown(), kind: z.unknown() })).min(1) });

/**
 * Validates one block against its kind and compiles its rules. `where` names
 * it in messages; `baseDir`, the config file's folder, is where the relative
 * paths of its theme (brand font files) are read from.
 */
function prepareBlock(raw: Record<string, unknown>, where: string, baseDir: string): PreparedBlock {
  if (!isKindName(raw.kind)) {
    const kinds = Object.keys(blockKinds);
    const hint = typeof raw.kind === 'string' ? didYouMean(raw.kind, kinds) : undefined;
    throw new ConfigError(`${where}: unknown kind ${JSON.stringify(raw.kind)}${hint ? `; ${hint}` : ''}. Expected one of: ${kinds.join(', ')}.`);
  }
  const kind = blockKinds[raw.kind];
  const parsed = kind.configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(blockIssueLines(parsed.error, kind.configSchema, raw, where).join('\n'));
  const config: BaseBlockConfig = parsed.data;

  // Past a valid shape, every part is checked even after one fails, so a block's mistakes are reported together.
  const problems: string[] = [];
  const attempt = <T>(part: () => T): T | undefined => {
    try {
      return part();
    } catch (error) {
      if (error instanceof ConfigError || error instanceof RuleError) {
        problems.push(error.message);
        return undefined;
      }
      throw error;
    }
  };
  problems.push(...messageProblems(kind, config, where));
  config.variants.forEach((variant, index) => problems.push(...messageProblems(kind, variant, `${where}.variants[${index}]`)));
  const state = attempt(() => kind.prepare(config, where));
  const theme = attempt(() => resolveTheme(config.theme, kind.theme, where, baseDir));
  const holdBack = config.holdBackWhen === undefined ? null : attempt(() => compileRule(config.holdBackWhen, `${where}.holdBackWhen`));
  const variants = config.variants.map((variant, index) => attempt(() => ({ ...variant, when: compileRule(variant.when, `${where}.variants[${index}].when`) })));
  const experiment = attempt(() => prepareExperiment(config.experiment, raw, config.id, where, (arm, at) => prepareBlock(arm, at, baseDir)));
  const lock = attempt(() => prepareLock(config.lockAtFirstOpen, kind, where));
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  // Past here every part above was prepared: a part that failed left a problem.
  return {
    config,
    kind,
    theme: theme as NonNullable<typeof theme>,
    holdBack: holdBack ?? null,
    variants: variants.map((variant) => variant as NonNullable<typeof variant>),
    experiment,
    lock: lock as NonNullable<typeof lock>,
    slotCount: kind.clickSlots.count(config),
    resolve: (context) => kind.resolve(state, context),
  };
}

/**
 * A block's (or a variant's) messages and translations use only the kind's
 * message keys, and each message only the placeholders the kind fills for
 * its key (`placeholders` on the kind): "Nur noch {stok} verfügbar" stops
 * start-up instead of reaching subscribers. One line per problem.
 */
function messageProblems(kind: RegisteredKind, source: { messages: Readonly<Record<string, string>>; translations?: Readonly<Record<string, Readonly<Record<string, string>>>> }, where: string): string[] {
  const knownKeys = Object.keys(kind.defaultMessages);
  const problems: string[] = [];
  const checkTable = (messages: Readonly<Record<string, string>>, at: string): void => {
    for (const [key, text] of Object.entries(messages)) {
      if (!knownKeys.includes(key)) {
        const hint = didYouMean(key, knownKeys);
        problems.push(`${at}: unknown message "${key}" for a ${kind.name} block${hint ? `; ${hint}` : ''}. Expected one of: ${knownKeys.join(', ')}.`);
        continue;
      }
      const problem = placeholderProblem(text, kind.placeholders[key] ?? []);
      if (problem) problems.push(`${at}.${key}: ${problem}`);
    }
  };
  checkTable(source.messages, `${where}.messages`);
  for (const [language, messages] of Object.entries(source.translations ?? {})) checkTable(messages, `${where}.translations.${language}`);
  return problems;
}

/** Every block of a blocks config checked: those that passed, and one message per block that did not. */
export interface BlocksConfigCheck {
  catalog: BlockCatalog;
  /** Each names the file, the block (index and id), the path inside it and what was expected; several lines for a block with several problems. */
  errors: string[];
}

/** Parses block definitions (YAML or JSON text) and checks every block, going on past a bad one so all problems are reported at once. */
export function checkBlocksConfig(text: string, origin: string): BlocksConfigCheck {
  let document: unknown;
  try {
    document = parseDeclarations(text, origin);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { catalog: new Map(), errors: [error.message] };
  }
  const shape = fileSchema.safeParse(document);
  if (!shape.success) {
    return {
      catalog: new Map(),
      errors: [`${origin}: expected a "blocks:" list of block definitions, each with an id and a kind:\n${formatZodIssues(shape.error, origin)}`],
    };
  }
  const catalog = new Map<string, PreparedBlock>();
  const errors: string[] = [];
  const baseDir = path.dirname(path.resolve(origin));
  shape.data.blocks.forEach((raw, index) => {
    const where = `${origin}: blocks[${index}]${typeof raw.id === 'string' ? ` (id "${raw.id}")` : ''}`;
    try {
      const block = prepareBlock(raw, where, baseDir);
      if (catalog.has(block.config.id)) throw new ConfigError(`${where}: duplicate block id "${block.config.id}". Block ids must be unique.`);
      catalog.set(block.config.id, block);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error.message);
    }
  });
  return { catalog, errors };
}

/** Parses block definitions (YAML or JSON text) and prepares every block, or throws one ConfigError listing every problem. */
export function parseBlocksConfig(text: string, origin: string): BlockCatalog {
  const { catalog, errors } = checkBlocksConfig(text, origin);
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return catalog;
}

export function loadBlocksConfig(file: string): BlockCatalog {
  return parseBlocksConfig(readBlocksConfigText(file), file);
}

/** The blocks config's text; throws ConfigError naming the file (start-up, and each reload). */
export function readBlocksConfigText(file: string): string {
  return readDeclarationsFile(file, 'blocks config', 'OPENTIME_BLOCKS').text;
}
