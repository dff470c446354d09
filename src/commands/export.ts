import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadBlocksConfig } from '../blocks/blocks-config';
import { loadFormsConfig } from '../forms/forms-config';
import { loadConfig } from '../config';
import { publicUrlForCommands } from '../server-address';
import { ESP_TOKEN_TAGS, ESPS, type Esp } from '../email/esp';
import { fillPlaceholders, PLACEHOLDERS } from '../email/placeholders';
import { AMP_SUFFIX, defaultTemplatesDir, HTML_SUFFIX, loadTemplate, TEXT_SUFFIX } from '../email/templates';
import { engineSourceFromEnv, loadEngine } from '../validate/engine';
import { formatReport, validateTemplate } from '../validate/validate';

export interface ExportCommandOptions {
  template: string;
  templatesDir?: string;
  outDir: string;
  /** One of ESP_TOKEN_TAGS, or give tokenTag. */
  esp?: Esp;
  /** Any merge tag, e.g. "{{ subscriber.ot_token }}". */
  tokenTag?: string;
  /** Base URL to write; default config publicUrl. */
  baseUrl?: string;
  validate?: boolean;
}

/**
 * `opentime export`: a template ready to paste into an ESP. The base URL is
 * written out and %%OPENTIME_TOKEN%% becomes the ESP's merge tag for the
 * recipient's opentime_token field (added to the send list by `opentime tokens`).
 */
export async function runExport(
  options: ExportCommandOptions,
  io: { env?: NodeJS.ProcessEnv; cwd?: string; stderr?: NodeJS.WritableStream } = {},
): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stderr = io.stderr ?? process.stderr;
  const config = loadConfig(env, cwd);
  const dir = options.templatesDir ? path.resolve(cwd, options.templatesDir) : defaultTemplatesDir();
  const template = loadTemplate(options.template, dir);
  const tokenTag = options.tokenTag ?? (options.esp ? ESP_TOKEN_TAGS[options.esp] : undefined);
  if (!tokenTag) throw new InvalidArgumentError(`Choose the merge tag: --esp ${ESPS.join('|')}, or --token-tag <tag>.`);
  if (options.validate !== false) {
    const engine = await loadEngine(engineSourceFromEnv(env));
    const forms = loadFormsConfig(config.formsFile);
    const report = validateTemplate(template.files, { blocks: loadBlocksConfig(config.blocksFile), forms, engine, publicUrl: config.publicUrl, cwd });
    const errors = report.findings.filter((finding) => finding.severity === 'error').length;
    if (errors > 0) {
      stderr.write(formatReport({ engine: engine.description, templates: [report], errors, warnings: report.findings.length - errors }));
      return 1;
    }
  }
  const baseUrl = options.baseUrl ?? publicUrlForCommands(config, (line) => stderr.write(`${line}\n`));
  if (!baseUrl.startsWith('https://')) stderr.write(`warning: ${baseUrl} is not https; AMP clients refuse amp-list sources that are not https.\n`);
  const outDir = path.resolve(cwd, options.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const values = { baseUrl, token: tokenTag };
  const written: string[] = [];
  for (const [suffix, text, file] of [
    [AMP_SUFFIX, template.amp, template.files.amp],
    [HTML_SUFFIX, template.html, template.files.html],
    [TEXT_SUFFIX, template.text, template.files.text],
  ] as const) {
    const target = path.join(outDir, `${template.name}${suffix}`);
    fs.writeFileSync(target, fillPlaceholders(text, values, file));
    written.push(target);
  }
  stderr.write(
    `Wrote ${written.map((file) => path.relative(cwd, file) || file).join(', ')}: ${PLACEHOLDERS.baseUrl} → ${baseUrl}, ${PLACEHOLDERS.token} → ${tokenTag}.\n` +
      'Import the opentime_token column from `opentime tokens` into the ESP as the field that tag names.\n',
  );
  return 0;
}

function espOption(value: string): Esp {
  if (!(ESPS as string[]).includes(value)) throw new InvalidArgumentError(`Unknown ESP "${value}". Expected one of: ${ESPS.join(', ')} (or use --token-tag).`);
  return value as Esp;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(`Write a template for an ESP: the base URL filled in and ${PLACEHOLDERS.token} replaced by the ESP's merge tag for opentime_token.`)
    .requiredOption('--template <name>', 'template in amp-templates/')
    .requiredOption('--out-dir <dir>', 'where to write <name>.amp.html, <name>.html and <name>.txt')
    .option('--esp <name>', `merge tag syntax: ${ESPS.map((esp) => `${esp} (${ESP_TOKEN_TAGS[esp]})`).join(', ')}`, espOption)
    .option('--token-tag <tag>', 'any other merge tag to put where the token goes')
    .option('--base-url <url>', 'the Opentime origin emails reach (default: OPENTIME_PUBLIC_URL)')
    .option('--templates-dir <dir>', 'where templates live (default: amp-templates/)')
    .option('--no-validate', 'export even if the template does not validate')
    .action(async (options: ExportCommandOptions) => {
      process.exitCode = await runExport(options);
    });
}
