import type { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EntryRules, TrackStep } from '../../../../src/core/nurture/nurture-track.schema.ts';
import type { enrollmentDto, trackDto } from '../../../../src/server/contract/nurture.contract.ts';
import { api, get, qs } from '../../api/client.ts';
import { fetchAll } from '../../api/queries.ts';

export type Track = z.infer<typeof trackDto>;
export type Enrollment = z.infer<typeof enrollmentDto> & { person?: { name: string; email: string | null } | null };
export type { EntryRules, TrackStep };

/** What the editor holds and POST/PATCH /api/v1/nurture/tracks take. */
export type TrackDraft = {
  name: string; priority: number; active: boolean; entry: EntryRules; steps: TrackStep[];
  cadence: { min_hours_between_emails: number }; exit: { stages: string[] };
};

export type StepStats = { step: number; sent: number; skipped: number; failed: number; bounced: number; opened: number; clicked: number; unsubscribed: number; open_rate: number | null; click_rate: number | null };
export type TrackStats = {
  track_id: string; name: string; entered: number; active: number; paused: number; finished: number; exited_by_reason: Record<string, number>;
  mql: number; mql_conversion: number | null; median_days_to_sales_ready: number | null; steps: StepStats[];
};
export type NurtureReport = {
  tracks: TrackStats[];
  time_to_sales_ready: { nurtured_median_days: number | null; nurtured_leads: number; not_nurtured_median_days: number | null; not_nurtured_leads: number };
};
export type SegmentOutcome = { matched: number; enrolled: number; already_in_track: number; not_emailable: number; waiting_for_recheck: number; dry_run: boolean };

export const nurtureKeys = {
  tracks: ['nurture', 'tracks'] as const,
  report: ['nurture', 'report'] as const,
  enrollments: (trackId: string) => ['nurture', 'enrollments', trackId] as const,
};

export const useTracks = () => useQuery({ queryKey: nurtureKeys.tracks, queryFn: async () => ({ data: await fetchAll<Track>('/api/v1/nurture/tracks', {}) }) });
export const useNurtureReport = () => useQuery({ queryKey: nurtureKeys.report, queryFn: () => get<NurtureReport>('/api/v1/reports/nurture'), staleTime: 60_000 });
export const useEnrollments = (trackId: string | null) => useQuery({
  queryKey: nurtureKeys.enrollments(trackId ?? ''), enabled: !!trackId,
  queryFn: () => get<{ data: Enrollment[] }>(`/api/v1/nurture/enrollments${qs({ track_id: trackId, include: 'person' })}`),
});

export function toDraft(t: Track): TrackDraft {
  return {
    name: t.name, priority: t.priority, active: t.active, entry: t.entry as EntryRules, steps: t.steps as unknown as TrackStep[],
    cadence: { min_hours_between_emails: Number((t.cadence as { min_hours_between_emails?: number }).min_hours_between_emails ?? 0) },
    exit: { stages: ((t.exit as { stages?: string[] }).stages ?? ['mql']) },
  };
}

export function useSaveTrack() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, draft }: { id: string | null; draft: TrackDraft }) =>
      (id ? api<Track>('PATCH', `/api/v1/nurture/tracks/${id}`, draft) : api<Track>('POST', '/api/v1/nurture/tracks', draft)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['nurture'] }),
  });
}

export function useEnrollSegment(trackId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { segment: EntryRules; dry_run: boolean }) => api<SegmentOutcome>('POST', `/api/v1/nurture/tracks/${trackId}/segment-enrollments`, body),
    onSuccess: (o) => { if (!o.dry_run) void queryClient.invalidateQueries({ queryKey: ['nurture'] }); },
  });
}

export function useRemoveEnrollment(trackId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Enrollment>('POST', `/api/v1/nurture/enrollments/${id}/remove`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: nurtureKeys.enrollments(trackId) }),
  });
}

export const useTestSend = () => useMutation({
  mutationFn: (body: { subject: string; template: string; asset_id?: string; to?: string }) => api<{ to: string; subject: string; text: string }>('POST', '/api/v1/nurture/test-sends', body),
});
