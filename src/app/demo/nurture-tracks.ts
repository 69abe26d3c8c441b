import type { AppDeps } from '../context.ts';
import { createTrack, type TrackInput } from '../nurture/nurture-tracks.ts';
import type { WorldContent } from './world.ts';

/**
 * The demo's nurture program, configured through the nurture use case (the shape POST
 * /api/v1/nurture/tracks takes): leads sales sent back get a re-engagement track by their reason,
 * every other inquiry or nurture lead an education track. Content is picked by the lead's inferred
 * buying stage, except the case study that opens the re-engagement track. The templates carry no
 * unsubscribe footer: the renderer adds one to every email (a second one showed in the preview).
 */
export async function seedNurtureTracks(deps: AppDeps, workspaceId: string, content: readonly WorldContent[]): Promise<void> {
  const caseStudy = content.find((c) => c.spec.key === 'case-northwind');
  const tracks: TrackInput[] = [
    {
      name: 'Back from sales: not ready yet', priority: 10,
      entry: { stages: ['nurture'], recycled_reasons: ['not_ready', 'no_budget', 'no_response'] },
      steps: [
        { type: 'send_email', subject: 'How Northwind doubled its SQLs', template: `Hi {{first_name}},\n\n{{asset_title}}: {{asset_link}}`, ...(caseStudy ? { content: { asset_id: caseStudy.id } } : {}) },
        { type: 'wait', business_days: 10 },
        { type: 'send_email', subject: '{{asset_title}}', template: `Hi {{first_name}},\n\nThought this might help: {{asset_link}}` },
        { type: 'wait', business_days: 15 },
        { type: 'branch', if: 'clicked', then: 2, else: 5 },
        { type: 'send_email', subject: 'Still on your list? {{asset_title}}', template: `Hi {{first_name}},\n\n{{asset_link}}` },
      ],
      cadence: { min_hours_between_emails: 72 },
      exit: { stages: ['mql'] },
    },
    {
      name: 'Education for new inquiries', priority: 0,
      entry: { stages: ['inquiry', 'nurture'] },
      steps: [
        { type: 'send_email', subject: 'Welcome: {{asset_title}}', template: `Hi {{first_name}},\n\nA good place to start: {{asset_link}}` },
        { type: 'wait', business_days: 7 },
        { type: 'send_email', subject: '{{asset_title}}', template: `Hi {{first_name}},\n\n{{asset_link}}` },
        { type: 'wait', business_days: 14 },
        { type: 'send_email', subject: '{{asset_title}}', template: `Hi {{first_name}},\n\nOne more read: {{asset_link}}` },
      ],
      cadence: { min_hours_between_emails: 48 },
      exit: { stages: ['mql'] },
    },
  ];
  for (const track of tracks) {
    const created = await createTrack(deps, workspaceId, track);
    if (!created.ok) throw new Error(`Cannot create the demo nurture track '${track.name}': ${created.message}`);
  }
}
