import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { apiScopes, DEMO_API_KEY_FILE, formatApiKeyRecord, generateApiKey, parseApiKeyRecords, parseScopes, type ApiScope } from '../api/api-keys';
import { loadConfig } from '../config';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function nameOption(value: string): string {
  if (!NAME.test(value)) throw new InvalidArgumentError('Expected 1–64 letters, digits, ".", "_" or "-", e.g. "crm" or "shopify-webhooks".');
  return value;
}

function scopesOption(value: string): ApiScope[] {
  try {
    // On the command line scopes may be joined with "," as well: the "+" only matters inside OPENTIME_API_KEYS, whose entries are comma-separated.
    return parseScopes(value.replace(/,/g, '+'), '--scopes');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * `opentime api-key create`: a new random key, printed once, and the entry
 * to add to OPENTIME_API_KEYS, which holds only the key's SHA-256. The key
 * itself is stored nowhere: lose it and make a new one.
 */
export function createApiKeyText(name: string, scopes: readonly ApiScope[]): { key: string; help: string } {
  const { key, record } = generateApiKey(name, scopes);
  const entry = formatApiKeyRecord(record);
  const help = [
    `API key "${name}" with scopes ${scopes.join(', ')}. It is shown only now; the server keeps only its hash.`,
    'Add this entry to OPENTIME_API_KEYS (comma-separated with any others) and restart the server:',
    `  ${entry}`,
    'Then call the API with:  Authorization: Bearer <the key printed on stdout>',
    '',
  ].join('\n');
  return { key, help };
}

export function registerApiKeyCommand(program: Command): void {
  const command = program.command('api-key').description('Ingestion API keys: create one, or list those configured.');
  command
    .command('create')
    .description('Print a new API key (stdout) and its OPENTIME_API_KEYS entry (stderr).')
    .requiredOption('--name <name>', 'who uses it, e.g. crm or shopify-webhooks', nameOption)
    .option('--scopes <scopes>', `"+"- or ","-joined scopes, or "*" for all: ${apiScopes.join(', ')}`, scopesOption, [...apiScopes])
    .action((options: { name: string; scopes: ApiScope[] }) => {
      const { key, help } = createApiKeyText(options.name, options.scopes);
      process.stderr.write(help);
      process.stdout.write(`${key}\n`);
    });
  command
    .command('list')
    .description('List the configured keys by name and scopes (never the keys themselves).')
    .action(() => {
      const config = loadConfig();
      const configured = config.apiKeys ? parseApiKeyRecords(config.apiKeys) : [];
      const lines = configured.map((record) => `${record.name}\t${record.scopes.join('+')}`);
      if (config.demo) lines.push(`demo\t${apiScopes.join('+')}\t(demo mode; the server keeps the key in ${path.join(config.dataDir, DEMO_API_KEY_FILE)})`);
      process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'No API keys configured. Create one with: opentime api-key create --name <name>\n');
    });
}
