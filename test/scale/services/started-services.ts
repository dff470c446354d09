/**
 * What global-setup.ts started, for global-teardown.ts to stop. Jest runs
 * both in its parent process, and a global set in the setup is what the
 * teardown can read (Jest docs, "globalSetup").
 */
export const TEST_SERVICES_KEY = '__opentimeTestServices';

export interface StartedServices {
  postgres?: { url: string; dir: string; pgCtl: string; dataDir: string };
  redis?: { url: string; dir: string; pid: number };
}
