import type { Command } from 'commander';
import { loadBlocksConfig } from '../blocks/blocks-config';
import { loadFormsConfig } from '../forms/forms-config';
import { loadConfig } from '../config';
import { runValidateConfig } from './validate-config';
import { runValidateTriggers } from './validate-triggers';
import { defaultTemplatesDir } from '../email/templates';
import { engineSourceFromEnv, loadEngine, type EngineSource } from '../validate/engine';
import { translationCheckLines } from '../validate/translation-check';
import { formatReport, resolveTargets, validateTemplates } from '../validate/validate';

export interface RunValidateOptions {
  /** Use the latest engine from the AMP CDN instead of the pinned copy. */
  latest?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  out?: NodeJS.WritableStream;
}

/**
 * Validates templates (every one in amp-templates/ when none are named) and
 * prints file:line:col findings and a summary. Resolves to the exit code:
 * 0 when no errors, 1 when a template has errors. Before the summary, the
 * blocks' missing translations for the subscribers in the database (warnings). Config and engine problems
 * throw (the CLI exits 2 with the message).
 */
export async function runValidate(targets: readonly string[], options: RunValidateOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? process.stdout;
  const config = loadConfig(env, cwd);
  const blocks = loadBlocksConfig(config.blocksFile);
  const source: EngineSource = options.latest ? 'cdn' : engineSourceFromEnv(env);
  const templates = resolveTargets(targets.length ? targets : [defaultTemplatesDir()], cwd);
  const engine = await loadEngine(source);
  const forms = loadFormsConfig(config.formsFile);
  const report = validateTemplates(templates, { blocks, forms, engine, publicUrl: config.publicUrl, cwd });
  // Subscribers who would read a block in another language than theirs: warnings, never a failure.
  const translations = await translationCheckLines(config, blocks);
  if (translations.length > 0) out.write(`${translations.join('\n')}\n`);
  out.write(formatReport(report));
  return report.errors > 0 ? 1 : 0;
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'Validate campaign templates: the AMP part with the official AMP4EMAIL engine (offline, pinned), plus Opentime checks ' +
        '(blocks exist, fallbacks, HTML part images in the same order, tokens, size limits). Exits 1 on any error.',
    )
    .argument('[files...]', 'template parts (<name>.amp.html, .html or .txt) or directories; default: every template in amp-templates/')
    .option('--latest', 'use the latest engine from https://cdn.ampproject.org instead of the pinned copy (same as OPENTIME_AMP_VALIDATOR=cdn)')
    .option('--config [file]', 'check a blocks config instead (default: OPENTIME_BLOCKS): exits 0 with one OK line per block, or 2 with every error')
    .option('--triggers [file]', 'check a triggers file instead (default: OPENTIME_TRIGGERS): exits 0 with one OK line per trigger, or 2 with every error')
    .action(async (files: string[], options: { latest?: boolean; config?: string | true; triggers?: string | true }) => {
      if (options.config !== undefined) {
        process.exitCode = runValidateConfig(options.config === true ? undefined : options.config);
        return;
      }
      if (options.triggers !== undefined) {
        process.exitCode = runValidateTriggers(options.triggers === true ? undefined : options.triggers);
        return;
      }
      process.exitCode = await runValidate(files, { latest: options.latest === true });
    });
}
