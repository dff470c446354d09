import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadBlocksConfig } from '../blocks/blocks-config';
import { loadFormsConfig } from '../forms/forms-config';
import { loadConfig } from '../config';
import { composeSubscriberMessage, defaultSender, sendOverSmtp } from '../email/subscriber-message';
import { databaseName, recipientWarnings } from '../email/recipient-check';
import { defaultTemplatesDir, listTemplates, loadTemplate } from '../email/templates';
import { keyringFromConfig } from '../tokens/keyring-from-config';
import { DEFAULT_TTL_SECONDS } from '../tokens/subscriber-token';
import { engineSourceFromEnv, loadEngine } from '../validate/engine';
import { formatReport, validateTemplate } from '../validate/validate';
import { publicUrlForCommands } from '../server-address';
import { ttlOption } from './ttl-option';

export interface EmailCommandOptions {
  campaign: string;
  subscriber: string;
  /** Template name in the templates directory; defaults to the campaign id. */
  template?: string;
  templatesDir?: string;
  /** Where to write the .eml; stdout when absent and not sending. */
  out?: string;
  /** smtp:// or smtps:// URL to send the message through. */
  smtp?: string;
  from?: string;
  to?: string;
  subject?: string;
  ttlSeconds?: number;
  /** Validate the template first (default true). */
  validate?: boolean;
  now?: Date;
}

export interface EmailIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export class EmailCommandError extends Error {
  override name = 'EmailCommandError';
}

function templateNameFor(options: EmailCommandOptions, dir: string): string {
  if (options.template) return options.template;
  const available = fs.existsSync(dir) ? listTemplates(dir) : [];
  if (available.includes(options.campaign)) return options.campaign;
  throw new EmailCommandError(
    `No template is named after campaign "${options.campaign}"; choose one with --template <name>. Available: ${available.join(', ') || 'none'} (in ${dir}).`,
  );
}

/**
 * `opentime email`: one subscriber's complete message (text, AMP, HTML), every
 * Opentime URL carrying their token, written as .eml and/or sent over SMTP.
 * Resolves to the exit code.
 */
export async function runEmail(options: EmailCommandOptions, io: EmailIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const loaded = loadConfig(env, cwd);
  const config = { ...loaded, publicUrl: publicUrlForCommands(loaded, (line) => stderr.write(`${line}\n`)) };
  const to = options.to ?? (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(options.subscriber) ? options.subscriber : undefined);
  if (options.smtp && !to) throw new EmailCommandError('--smtp needs a recipient: pass --to <address>.');
  const dir = options.templatesDir ? path.resolve(cwd, options.templatesDir) : defaultTemplatesDir();
  const template = loadTemplate(templateNameFor(options, dir), dir);

  if (options.validate !== false) {
    const blocks = loadBlocksConfig(config.blocksFile);
    const engine = await loadEngine(engineSourceFromEnv(env));
    // The forms config too, as `opentime validate` reads it: a template with forms is checked against it.
    const report = validateTemplate(template.files, { blocks, forms: loadFormsConfig(config.formsFile), engine, publicUrl: config.publicUrl, cwd });
    const errors = report.findings.filter((finding) => finding.severity === 'error').length;
    if (errors > 0) {
      stderr.write(formatReport({ engine: engine.description, templates: [report], errors, warnings: report.findings.length - errors }));
      stderr.write(`Template "${template.name}" is invalid; not building the email (pass --no-validate to build it anyway).\n`);
      return 1;
    }
  }
  if (!config.publicUrl.startsWith('https://')) {
    stderr.write(
      `warning: the base URL ${config.publicUrl} is not https; AMP clients refuse amp-list sources that are not https. Set OPENTIME_PUBLIC_URL for real sends.\n`,
    );
  }

  const keyring = keyringFromConfig(config);
  // The sender the AMP part will announce (AMP-Email-Sender): it must be on the campaign's or the global allowlist.
  const from = options.from ?? defaultSender(config.allowedSenders);
  // Said before the message is written or sent: the user reads them before acting on the result.
  const warnings = await recipientWarnings(config, { subscriberId: options.subscriber, campaignId: options.campaign, sender: from });
  for (const warning of warnings) stderr.write(`${warning}\n`);
  if (warnings.length === 0) stderr.write(`Checked: subscriber, campaign and AMP-Email-Sender ${from} are known to ${databaseName(config)}.\n`);
  const message = await composeSubscriberMessage({
    keyring,
    tokenAudience: config.tokenAudience,
    publicUrl: config.publicUrl,
    template,
    campaignId: options.campaign,
    subscriberId: options.subscriber,
    from,
    to,
    subject: options.subject,
    ttlSeconds: options.ttlSeconds,
    now: options.now,
  });

  if (options.out) {
    fs.writeFileSync(path.resolve(cwd, options.out), message);
    stderr.write(`Wrote ${options.out} (${message.length.toLocaleString('en-US')} bytes, template ${template.name}, subscriber ${options.subscriber}, campaign ${options.campaign}).\n`);
  } else if (!options.smtp) {
    stdout.write(message);
  }
  if (options.smtp) {
    const response = await sendOverSmtp(options.smtp, { from, to: to as string }, message);
    stderr.write(`Sent to ${to} via SMTP: ${response}\n`);
  }
  return 0;
}

export function registerEmailCommand(program: Command): void {
  program
    .command('email')
    .description(
      "Build one subscriber's complete email (multipart/alternative: text/plain, text/x-amp-html, text/html) from a template, " +
        'every Opentime URL carrying their token; write it as .eml or send it over SMTP.',
    )
    .requiredOption('--campaign <id>', 'campaign id (the token is scoped to it)')
    .requiredOption('--subscriber <id>', 'subscriber id (as in your ESP export / our store)')
    .option('--template <name>', 'template in amp-templates/ (default: the one named after the campaign)')
    .option('--templates-dir <dir>', 'where templates live (default: amp-templates/)')
    .option('--out <file>', 'write the message here (.eml); without --out or --smtp it goes to stdout')
    .option('--smtp <url>', 'send it through this SMTP server, e.g. smtp://user:pass@localhost:587 or smtps://…')
    .option('--from <address>', 'From address; the AMP part announces it as AMP-Email-Sender, so it must be allowed for the campaign')
    .option('--to <address>', 'To address (default: the subscriber id when it is an email address)')
    .option('--subject <text>', "subject (default: the HTML part's <title>)")
    .addOption(new Option('--ttl <duration>', 'token validity: 31d, 12h, 90m, 45s, 2w or seconds').argParser(ttlOption).default(DEFAULT_TTL_SECONDS, '31d'))
    .option('--no-validate', 'build the email even if the template does not validate')
    .action(async (options: Omit<EmailCommandOptions, 'ttlSeconds'> & { ttl: number; templatesDir?: string }) => {
      process.exitCode = await runEmail({ ...options, ttlSeconds: options.ttl });
    });
}
