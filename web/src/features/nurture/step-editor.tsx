import { useId, useMemo, useState } from 'react';
import { renderEmail } from '../../../../src/core/nurture/email-template.rules.ts';
import type { ContentAsset } from '../../api/types.ts';
import { formatPercent } from './nurture-format.ts';
import { useTestSend, type StepStats, type TrackStep } from './nurture-api.ts';

type SendStep = Extract<TrackStep, { type: 'send_email' }>;
const placeholders = ['{{first_name}}', '{{asset_title}}', '{{asset_link}}', '{{unsubscribe_link}}', '{{preferences_link}}'];
// A transparent pixel: the preview must not load anything from elsewhere.
const blankPixel = 'data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEAAAAALAAAAAABAAEAAAIBAAA=';

/**
 * The email as a recipient sees it, rendered in the browser by the same core function the sender uses
 * (renderEmail: everything escaped, only the known link placeholders become links), with a sample person.
 * Shown in a sandboxed frame: no scripts, no same-origin access, whatever the template says.
 */
export function EmailPreview({ step, index, assets }: { step: SendStep; index: number; assets: readonly ContentAsset[] }) {
  const asset = 'asset_id' in step.content ? assets.find((a) => a.id === (step.content as { asset_id: string }).asset_id) : undefined;
  const mail = useMemo(() => renderEmail(step.subject || '(no subject)', step.template || '', {
    firstName: 'Alex', assetTitle: asset?.title ?? 'The guide that fits their buying stage', assetLink: asset?.url ?? 'https://example.com/guide',
    unsubscribeLink: 'https://example.com/unsubscribe', preferencesLink: 'https://example.com/preferences', openPixel: blankPixel,
  }), [step.subject, step.template, asset]);
  return (
    <div className="email-preview" aria-label={`Preview of step ${index + 1}`} role="region">
      <div className="email-preview-head"><span className="muted small">Subject</span> <strong>{mail.subject}</strong></div>
      <iframe title={`Email preview, step ${index + 1}`} sandbox="" srcDoc={mail.html} className="email-frame" />
      <p className="hint">Sample person: Alex. {'asset_id' in step.content ? '' : 'The asset is chosen per person by their buying stage.'}</p>
    </div>
  );
}

function TestSend({ step }: { step: SendStep }) {
  const send = useTestSend();
  const [to, setTo] = useState('');
  const id = useId();
  return (
    <div className="test-send">
      <label htmlFor={id} className="small">Send a test to</label>
      <input id={id} type="email" placeholder="you (leave empty)" value={to} onChange={(e) => setTo(e.target.value)} />
      <button type="button" className="button small" disabled={send.isPending || !step.subject || !step.template}
        onClick={() => send.mutate({ subject: step.subject, template: step.template, ...('asset_id' in step.content ? { asset_id: (step.content as { asset_id: string }).asset_id } : {}), ...(to.trim() ? { to: to.trim() } : {}) })}>
        Send test
      </button>
      <span aria-live="polite" className="small">
        {send.isSuccess ? <span className="ok-text">Test email to {send.data.to} is on its way.</span> : send.isError ? <span className="bad-text">Not sent: {send.error.message}</span> : null}
      </span>
    </div>
  );
}

function StatsLine({ stats }: { stats: StepStats | undefined }) {
  if (!stats || stats.sent + stats.skipped + stats.failed === 0) return <p className="muted small step-stats">No sends yet.</p>;
  return (
    <p className="small step-stats">
      Sent <strong>{stats.sent}</strong> · opened <strong>{formatPercent(stats.open_rate)}</strong> · clicked <strong>{formatPercent(stats.click_rate)}</strong>
      {stats.unsubscribed ? ` · ${stats.unsubscribed} unsubscribed` : ''}{stats.bounced ? ` · ${stats.bounced} bounced` : ''}{stats.skipped ? ` · ${stats.skipped} skipped` : ''}
    </p>
  );
}

/** One step of a track: an email (subject, template, content, live preview, test send), a wait, or a branch. */
export function StepEditor({ step, index, count, assets, stats, onChange, onRemove, onMove }: {
  step: TrackStep; index: number; count: number; assets: readonly ContentAsset[]; stats: StepStats | undefined;
  onChange: (s: TrackStep) => void; onRemove: () => void; onMove: (delta: -1 | 1) => void;
}) {
  const ids = { subject: useId(), template: useId(), content: useId(), days: useId(), cond: useId(), then: useId(), else: useId() };
  const title = step.type === 'send_email' ? 'Email' : step.type === 'wait' ? 'Wait' : 'Branch';
  const targets = Array.from({ length: count + 1 }, (_, i) => i);
  const targetLabel = (i: number) => (i === count ? 'Finish the track' : `Step ${i + 1}`);
  return (
    <li className={`step-card step-${step.type}`} aria-label={`Step ${index + 1}: ${title}`}>
      <header className="step-head">
        <span className="step-number" aria-hidden="true">{index + 1}</span>
        <h3 className="step-title">{title}</h3>
        <div className="button-row">
          <button type="button" className="button small ghost" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move step ${index + 1} up`}>↑</button>
          <button type="button" className="button small ghost" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move step ${index + 1} down`}>↓</button>
          <button type="button" className="button small danger-ghost" onClick={onRemove} aria-label={`Remove step ${index + 1}`}>Remove</button>
        </div>
      </header>
      {step.type === 'send_email' ? (
        <div className="email-step">
          <div className="stack">
            <div className="field">
              <label htmlFor={ids.subject}>Subject</label>
              <input id={ids.subject} type="text" required maxLength={300} value={step.subject} onChange={(e) => onChange({ ...step, subject: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={ids.template}>Email text</label>
              <textarea id={ids.template} rows={7} required maxLength={20000} value={step.template} onChange={(e) => onChange({ ...step, template: e.target.value })} />
              <p className="hint">Placeholders: {placeholders.map((p, i) => <span key={p}>{i ? ', ' : ''}<code>{p}</code></span>)}. Unsubscribe and preference links are always added.</p>
            </div>
            <div className="field">
              <label htmlFor={ids.content}>Content to send</label>
              <select id={ids.content} value={'asset_id' in step.content ? (step.content as { asset_id: string }).asset_id : ''}
                onChange={(e) => onChange({ ...step, content: e.target.value ? { asset_id: e.target.value } : { by: 'inferred_stage' } })}>
                <option value="">Best fit for the person's buying stage</option>
                {assets.filter((a) => a.url).map((a) => <option key={a.id} value={a.id}>{a.title}</option>)}
              </select>
            </div>
            <StatsLine stats={stats} />
            <TestSend step={step} />
          </div>
          <EmailPreview step={step} index={index} assets={assets} />
        </div>
      ) : step.type === 'wait' ? (
        <div className="form-row">
          <div className="field">
            <label htmlFor={ids.days}>Business days</label>
            <input id={ids.days} type="number" min={0} max={365} step={1} required value={step.business_days} onChange={(e) => onChange({ ...step, business_days: Number(e.target.value) })} />
          </div>
          <p className="hint">Weekends do not count.</p>
        </div>
      ) : (
        <div className="form-row">
          <div className="field">
            <label htmlFor={ids.cond}>If the last email was</label>
            <select id={ids.cond} value={step.if} onChange={(e) => onChange({ ...step, if: e.target.value as 'clicked' | 'opened' })}>
              <option value="clicked">clicked</option><option value="opened">opened</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.then}>then go to</label>
            <select id={ids.then} value={step.then} onChange={(e) => onChange({ ...step, then: Number(e.target.value) })}>
              {targets.map((i) => <option key={i} value={i}>{targetLabel(i)}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.else}>otherwise</label>
            <select id={ids.else} value={step.else} onChange={(e) => onChange({ ...step, else: Number(e.target.value) })}>
              {targets.map((i) => <option key={i} value={i}>{targetLabel(i)}</option>)}
            </select>
          </div>
        </div>
      )}
    </li>
  );
}
