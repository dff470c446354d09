import fs from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, formatZodIssues } from '../config';
import { prepareExperiment } from '../experiments/prepare-experiment';
import { blockKinds, isKindName } from '../kinds/registry';
import { compileRule, RuleError } from '../rules/rule';
import type { BaseBlockConfig } from './block-config';
import type { PreparedBlock } from './prepared-block';
import { prepareLock } from './prepare-lock';

/** The blocks the server serves, by id, validated and compiled. */
export type BlockCatalog = ReadonlyMap<string, PreparedBlock>;

const fileSchema = z.object({ blocks: z.array(z.looseObject({ id: z.unknown(), kind: z.unknown() })).min(1) });

/** Validates one block against its kind and compiles its rules. `where` names it in messages. */
function prepareBlock(raw: Record<string, unknown>, where: string): PreparedBlock {
  if (!isKindName(raw.kind)) {
    throw new ConfigError(`${where}: unknown kind ${JSON.stringify(raw.kind)}. Expected one of: ${Object.keys(blockKinds).join(', ')}.`);
  }
  const kind = blockKinds[raw.kind];
  const parsed = kind.configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${where} (${kind.name}) is invalid:\n${formatZodIssues(parsed.error, where)}`);
  const config: BaseBlockConfig = parsed.data;

  const knownKeys = Object.keys(kind.defaultMessages);
  const checkMessages = (messages: Record<string, string>, at: string): void => {
    for (const key of Object.keys(messages)) {
      if (!knownKeys.includes(key)) {
        throw new ConfigError(`${at}: unknown message "${key}" for a ${kind.name} block. Expected one of: ${knownKeys.join(', ')}.`);
      }
    }
  };
  checkMessages(config.messages, `${where}.messages`);
  for (const [language, messages] of Object.entries(config.translations)) checkMessages(messages, `${where}.translations.${language}`);

  try {
    const state = kind.prepare(config, where);
    return {
      config,
      kind,
      holdBack: config.holdBackWhen === undefined ? null : compileRule(config.holdBackWhen, `${where}.holdBackWhen`),
      variants: config.variants.map((variant, index) => {
        checkMessages(variant.messages, `${where}.variants[${index}].messages`);
        return { name: variant.name, when: compileRule(variant.when, `${where}.variants[${index}].when`), messages: variant.messages };
      }),
      experiment: prepareExperiment(config.experiment, raw, config.id, where, prepareBlock),
      lock: prepareLock(config.lockAtFirstOpen, kind, where),
      slotCount: kind.clickSlots.count(config),
      resolve: (context) => kind.resolve(state, context),
    };
  } catch (error) {
    if (error instanceof RuleError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Parses block definitions (YAML or JSON text) and prepares every block, or throws one precise ConfigError. */
export function parseBlocksConfig(text: string, origin: string): BlockCatalog {
  let document: unknown;
  try {
    document = YAML.parse(text);
  } catch (error) {
    throw new ConfigError(`${origin}: not valid YAML or JSON: ${(error as Error).message}`);
  }
  const shape = fileSchema.safeParse(document);
  if (!shape.success) {
    throw new ConfigError(`${origin}: expected a "blocks:" list of block definitions, each with an id and a kind:\n${formatZodIssues(shape.error, origin)}`);
  }
  const catalog = new Map<string, PreparedBlock>();
  shape.data.blocks.forEach((raw, index) => {
    const where = `${origin}: blocks[${index}]${typeof raw.id === 'string' ? ` (id "${raw.id}")` : ''}`;
    const block = prepareBlock(raw, where);
    if (catalog.has(block.config.id)) throw new ConfigError(`${where}: duplicate block id "${block.config.id}". Block ids must be unique.`);
    catalog.set(block.config.id, block);
  });
  return catalog;
}

export function loadBlocksConfig(file: string): BlockCatalog {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the blocks config ${file} (OPENTIME_BLOCKS): ${(error as Error).message}`);
  }
  return parseBlocksConfig(text, file);
}
