import type { Command } from 'commander';
import { campaignPatchSchema } from '../api/campaign-schema';
import { parseRecord } from '../api/payload-schemas';
import { loadConfig } from '../config';
import type { CampaignPatch } from '../data/campaign-patches';
import type { Campaign } from '../data/model';
import { openStorage } from '../storage/open-storage';
import type { Storage } from '../storage/storage';

/** The options of `create` and `update`, as typed: lists comma-separated, `--ends-at none` for no deadline. */
export interface CampaignFieldOptions {
  name?: string;
  endsAt?: string;
  senders?: string;
  markets?: string;
  templates?: string;
}

export interface CampaignCommandIo {
  /** Storage handed in (tests); otherwise the configured database is opened and closed. */
  storage?: Pick<Storage, 'campaigns' | 'catalogue' | 'close'>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  now?: () => Date;
}

/** Where each field comes from on the command line, for problems worded as the user typed them. */
const OPTION_OF: Record<string, string> = {
  id: '<id>',
  name: '--name',
  endsAt: '--ends-at',
  allowedSenders: '--senders',
  markets: '--markets',
  templates: '--templates',
};

const list = (text: string): string[] =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/** The patch the options describe: only the fields given (update changes only those). */
function patchOf(id: string, options: CampaignFieldOptions): Record<string, unknown> {
  const patch: Record<string, unknown> = { id };
  if (options.name !== undefined) patch.name = options.name;
  if (options.endsAt !== undefined) patch.endsAt = options.endsAt === 'none' ? null : options.endsAt;
  if (options.senders !== undefined) patch.allowedSenders = list(options.senders);
  if (options.markets !== undefined) patch.markets = list(options.markets);
  if (options.templates !== undefined) patch.templates = list(options.templates);
  return patch;
}

/** Validates with the API's schema (api/campaign-schema.ts); problems name the option and the list entry. */
function validated(id: string, options: CampaignFieldOptions, now: Date): { patch: CampaignPatch } | { problems: string[] } {
  const parsed = parseRecord(patchOf(id, options), campaignPatchSchema, { now, maxClockSkewSeconds: 0 });
  if ('value' in parsed) return { patch: parsed.value };
  return {
    problems: parsed.errors.map(({ path, message }) => {
      const [field = '', entry] = path.split('.');
      const option = OPTION_OF[field] ?? field;
      return `${option}${entry === undefined ? '' : ` entry ${Number(entry) + 1}`}: ${message}`;
    }),
  };
}

async function withStorage(io: CampaignCommandIo, work: (storage: Pick<Storage, 'campaigns' | 'catalogue'>) => Promise<number>): Promise<number> {
  if (io.storage) return work(io.storage);
  const storage = await openStorage(loadConfig(io.env ?? process.env, io.cwd ?? process.cwd()));
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

async function write(kind: 'create' | 'update', id: string, options: CampaignFieldOptions, io: CampaignCommandIo): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const now = (io.now ?? (() => new Date()))();
  const checked = validated(id, options, now);
  if ('problems' in checked) {
    stderr.write(`opentime campaign ${kind}: nothing was written:\n${checked.problems.map((problem) => `  ${problem}`).join('\n')}\n`);
    return 1;
  }
  if (kind === 'update' && Object.keys(checked.patch).length === 1) {
    stderr.write('opentime campaign update: nothing to change; give at least one of --name, --ends-at, --senders, --markets, --templates.\n');
    return 1;
  }
  return withStorage(io, async (storage) => {
    const stored = await storage.catalogue.getCampaign(id);
    if (kind === 'create' && stored) {
      stderr.write(`opentime campaign create: campaign "${id}" already exists; change it with: opentime campaign update ${id} …\n`);
      return 1;
    }
    if (kind === 'update' && !stored) {
      stderr.write(`opentime campaign update: no campaign "${id}"; create it with: opentime campaign create ${id} --name …\n`);
      return 1;
    }
    const result = await storage.campaigns.applyCampaignPatches([checked.patch], { now, onIncomplete: 'abort' });
    if (!result.written) {
      stderr.write(`opentime campaign create: nothing was written:\n  --name: required for a new campaign\n`);
      return 1;
    }
    stdout.write(`${kind === 'create' ? 'Created' : result.unchanged ? 'Unchanged:' : 'Updated'} campaign "${id}".\n`);
    return 0;
  });
}

/** `opentime campaign create <id> --name …`: refuses an id that exists. */
export function runCampaignCreate(id: string, options: CampaignFieldOptions, io: CampaignCommandIo = {}): Promise<number> {
  return write('create', id, options, io);
}

/** `opentime campaign update <id> [--name …]`: refuses an id that does not exist; changes only the fields given. */
export function runCampaignUpdate(id: string, options: CampaignFieldOptions, io: CampaignCommandIo = {}): Promise<number> {
  return write('update', id, options, io);
}

/** `opentime campaign show <id>`: the stored campaign as JSON. */
export function runCampaignShow(id: string, io: CampaignCommandIo = {}): Promise<number> {
  return withStorage(io, async (storage) => {
    const campaign = await storage.catalogue.getCampaign(id);
    if (!campaign) {
      (io.stderr ?? process.stderr).write(`opentime campaign show: no campaign "${id}" (opentime campaign list shows them all).\n`);
      return 1;
    }
    (io.stdout ?? process.stdout).write(`${JSON.stringify(campaign, null, 2)}\n`);
    return 0;
  });
}

/** `opentime campaign list`: one row per campaign, by id. */
export function runCampaignList(io: CampaignCommandIo = {}): Promise<number> {
  return withStorage(io, async (storage) => {
    const campaigns = await storage.campaigns.listCampaigns();
    (io.stdout ?? process.stdout).write(campaigns.length ? campaignTable(campaigns) : 'No campaigns. Create one with: opentime campaign create <id> --name <name>\n');
    return 0;
  });
}

function campaignTable(campaigns: readonly Campaign[]): string {
  const header = ['ID', 'NAME', 'ENDS AT', 'MARKETS', 'TEMPLATES', 'SENDERS', 'UPDATED AT'];
  const rows = campaigns.map((campaign) => [
    campaign.id,
    campaign.name,
    campaign.endsAt ?? 'no deadline',
    campaign.markets.length ? campaign.markets.join(',') : 'all',
    campaign.templates.join(',') || '-',
    campaign.allowedSenders.join(',') || '-',
    campaign.updatedAt,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

function fieldOptions(command: Command): Command {
  return command
    .option('--name <name>', 'what people call it, e.g. "Summer Sale"')
    .option('--ends-at <time>', 'deadline, ISO 8601 with a zone (2026-07-31T22:00:00Z), or "none"')
    .option('--senders <list>', 'comma-separated sender addresses or domains allowed besides OPENTIME_ALLOWED_SENDERS')
    .option('--markets <list>', 'comma-separated ISO 3166-1 country codes it is sent to (DE,AT); "" for every market')
    .option('--templates <list>', 'comma-separated template names under amp-templates/ (flash-sale)');
}

export function registerCampaignCommand(program: Command): void {
  const command = program.command('campaign').description('Campaigns in the database: create, update, list, show (the API and the campaigns file write the same records).');
  fieldOptions(command.command('create').description('Create a campaign; refuses an id that exists.').argument('<id>', 'the campaign id tokens name, e.g. summer-sale')).action(
    async (id: string, options: CampaignFieldOptions) => {
      process.exitCode = await runCampaignCreate(id, options);
    },
  );
  fieldOptions(command.command('update').description('Change the fields given; refuses an id that does not exist.').argument('<id>', 'the campaign id')).action(
    async (id: string, options: CampaignFieldOptions) => {
      process.exitCode = await runCampaignUpdate(id, options);
    },
  );
  command
    .command('list')
    .description('Every campaign as a table.')
    .action(async () => {
      process.exitCode = await runCampaignList();
    });
  command
    .command('show')
    .description('One campaign as JSON.')
    .argument('<id>', 'the campaign id')
    .action(async (id: string) => {
      process.exitCode = await runCampaignShow(id);
    });
}
