import { DEMO_CAMPAIGN_IDS, DEMO_SENDERS, DEMO_SUBSCRIBER_IDS } from './data/demo-data';
import type { Services } from './services';
import { signSubscriberToken } from './tokens/subscriber-token';

/**
 * The banner `npm start` prints in demo mode: working URLs with fresh tokens,
 * as curl commands because AMP endpoints answer only requests that carry the
 * AMP for Email CORS headers.
 */
export function sampleUrlsText(services: Services): string {
  const { config, keyring, blocks } = services;
  const token = (subscriberId: string, campaignId: string): string =>
    signSubscriberToken(keyring, { subscriberId, campaignId }, { audience: config.tokenAudience });
  const sender = DEMO_SENDERS[0] ?? 'news@shop.example';
  const emma = token(DEMO_SUBSCRIBER_IDS.emma, DEMO_CAMPAIGN_IDS.flashSale);
  const lines = [
    '',
    `Opentime is listening on http://localhost:${config.port} (public URL ${config.publicUrl})`,
    '',
    `Sample opens for subscriber ${DEMO_SUBSCRIBER_IDS.emma} (en-US) in campaign ${DEMO_CAMPAIGN_IDS.flashSale}:`,
  ];
  // Beside each JSON sample: the same open as the image the HTML part shows (open it in a browser).
  const images = (id: string, t: string): string[] => {
    const lines = [`    PNG: ${config.publicUrl}/img/v1/blocks/${id}.png?t=${t}`];
    // A kind that animates (a running countdown) has its ticking GIF too.
    if (blocks.get(id)?.kind.animation) lines.push(`    GIF: ${config.publicUrl}/img/v1/blocks/${id}.gif?t=${t}`);
    return lines;
  };
  for (const id of blocks.keys()) {
    lines.push(`  curl -H 'AMP-Email-Sender: ${sender}' '${config.publicUrl}/amp/v1/blocks/${id}?t=${emma}'`, ...images(id, emma));
  }
  const lena = token(DEMO_SUBSCRIBER_IDS.lena, DEMO_CAMPAIGN_IDS.flashSale);
  const expired = token(DEMO_SUBSCRIBER_IDS.lena, DEMO_CAMPAIGN_IDS.springSale);
  lines.push(
    '',
    `The same in German (${DEMO_SUBSCRIBER_IDS.lena}, de-DE), and a campaign whose deadline has passed:`,
    `  curl -H 'AMP-Email-Sender: ${sender}' '${config.publicUrl}/amp/v1/blocks/loyalty-status?t=${lena}'`,
    ...images('loyalty-status', lena),
    `  curl -H 'AMP-Email-Sender: ${sender}' '${config.publicUrl}/amp/v1/blocks/flash-countdown?t=${expired}'`,
    ...images('flash-countdown', expired),
    '',
    'Mint more tokens with: npx opentime token --subscriber <id> --campaign <id>',
    '',
  );
  if (services.demoApiKey) {
    // The ingestion API: change the stock (every market sees it; prices are per currency), then open the hero-product URL above again.
    lines.push(
      `Demo API key (all scopes; kept in ${config.dataDir}/demo-api-key.txt): ${services.demoApiKey}`,
      `  curl -X POST -H 'Authorization: Bearer ${services.demoApiKey}' -H 'Content-Type: application/json' \\`,
      `    -d '{"products":[{"id":"quilted-jacket-olive","stock":2}]}' '${config.publicUrl}/api/v1/products'`,
      '',
    );
  }
  return lines.join('\n');
}
