import type { WebServer } from './web-server.ts';

/**
 * Content feedback the browser journeys read: two prospect ratings on the first seeded asset, posted
 * through the public snippet endpoint with the workspace's ingest key, as a web page would.
 */
export async function seedContentFeedback(web: WebServer): Promise<void> {
  const asset = web.seed.content[0]!;
  for (const body of [{ rating: 5, comment: 'Clear pricing, thanks.' }, { thumbs: 'down', comment: null }]) {
    const r = await fetch(`${web.baseUrl}/v1/content-ratings?key=${web.seed.ingestKey}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ asset_id: asset.id, ...body }),
    });
    if (r.status !== 201) throw new Error(`Seeding a content rating failed: ${r.status} ${await r.text()}`);
  }
}
