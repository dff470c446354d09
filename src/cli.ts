import { Command } from 'commander';
import { registerApiKeyCommand } from './commands/api-key';
import { registerCampaignCommand } from './commands/campaign';
import { registerImportCommand } from './commands/import';
import { registerEmailCommand } from './commands/email';
import { registerExportCommand } from './commands/export';
import { registerReportCommand } from './commands/report';
import { registerTokensCommand } from './commands/tokens';
import { registerValidateCommand } from './commands/validate';
import { ConfigError, environmentVariables, loadConfig } from './config';
import { main as serve } from './main';
import { keyringFromConfig } from './tokens/keyring-from-config';
import { signSubscriberToken } from './tokens/subscriber-token';
import { parseTtl } from './tokens/ttl';
import { ttlOption } from './commands/ttl-option';

const configHelp = `
Configuration (environment variables, or the same keys in the file named by OPENTIME_CONFIG):
  ${Object.keys(environmentVariables).join(', ')}
The server and every command read the same configuration, so tokens minted here verify on the server.`;

export function buildCli(): Command {
  const program = new Command('opentime')
    .description('Open-time email personalization: live AMP amp-list JSON and image fallbacks from one view.')
    .addHelpText('after', configHelp)
    .showHelpAfterError();

  program
    .command('serve')
    .description('Start the HTTP server (demo data and sample URLs on first start; see README).')
    .action(async () => {
      await serve();
    });

  program
    .command('token')
    .description("Print a signed subscriber token for an email's URLs (t=<token>).")
    .requiredOption('--subscriber <id>', 'subscriber id (as in your ESP export / our store)')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--ttl <duration>', 'validity: 31d, 12h, 90m, 45s, 2w or seconds (Gmail shows AMP for 30 days)', ttlOption, parseTtl('31d'))
    .action((options: { subscriber: string; campaign: string; ttl: number }) => {
      const config = loadConfig();
      const keyring = keyringFromConfig(config);
      const token = signSubscriberToken(
        keyring,
        { subscriberId: options.subscriber, campaignId: options.campaign },
        { audience: config.tokenAudience, ttlSeconds: options.ttl },
      );
      process.stdout.write(`${token}\n`);
    });

  registerValidateCommand(program);
  registerEmailCommand(program);
  registerTokensCommand(program);
  registerExportCommand(program);
  registerImportCommand(program);
  registerApiKeyCommand(program);
  registerCampaignCommand(program);
  registerReportCommand(program);

  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (error) {
    // Config and input problems are the user's to fix: say what was expected, no stack trace.
    if (error instanceof ConfigError || (error instanceof Error && !(error instanceof TypeError))) {
      process.stderr.write(`opentime: ${(error as Error).message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

if (require.main === module) void runCli(process.argv);
