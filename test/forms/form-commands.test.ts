/** The demo forms campaign through the commands a user runs on it: `opentime email` and `opentime export` validate its forms too. */
import fs from 'node:fs';
import path from 'node:path';
import { runEmail } from '../../src/commands/email';
import { runExport } from '../../src/commands/export';
import { BASE, cliEnvironment, ROOT, textSink } from '../helpers/cli-environment';

const environment = cliEnvironment('opentime-form-commands-');

describe('the style-survey campaign from the command line', () => {
  test('opentime email --campaign style-survey builds the email: its forms pass the forms config checks, its results block is in both parts', async () => {
    const stderr = textSink();
    const out = path.join(environment.dir(), 'emma.eml');
    const code = await runEmail({ campaign: 'style-survey', subscriber: 'sub-emma', out, now: new Date() }, { env: environment.env(), cwd: ROOT, stderr });
    expect(stderr.text()).not.toMatch(/error:/);
    expect(code).toBe(0);
    expect(stderr.text()).toMatch(/template style-survey, subscriber sub-emma, campaign style-survey/);
    // Quoted-printable may fold the long lines: unfold before looking.
    const raw = fs.readFileSync(out, 'utf8').replace(/=\r?\n/g, '');
    expect(raw).toContain(`${BASE}/amp/v1/blocks/style-results?t=`);
    expect(raw).toContain(`${BASE}/img/v1/blocks/style-results.png?t=`);
    expect(raw).toContain(`${BASE}/amp/v1/forms/style-poll?t=`);
  }, 60_000);

  test('opentime export --esp mailchimp validates it against the forms config and writes the merge tag into the forms', async () => {
    const outDir = path.join(environment.dir(), 'export');
    const stderr = textSink();
    const code = await runExport({ template: 'style-survey', outDir, esp: 'mailchimp' }, { env: environment.env(), cwd: ROOT, stderr });
    expect(stderr.text()).not.toMatch(/error:/);
    expect(code).toBe(0);
    const amp = fs.readFileSync(path.join(outDir, 'style-survey.amp.html'), 'utf8');
    expect(amp).toContain(`action-xhr="${BASE}/amp/v1/forms/style-poll?t=*|OT_TOKEN|*"`);
  }, 60_000);
});
