import type { SegmentMessage } from '../segment-message.schema.ts';
import { consentFromIdentify } from '../traits.rules.ts';

/**
 * Suppression of erased people: which identifiers a message carries, and whether it carries consent
 * given again (which lifts the suppression). Pure; the hashes live in storage.
 */
export type SuppressibleKind = 'email' | 'anonymous_id' | 'user_id';
export type MessageIdentifier = { kind: SuppressibleKind; value: string };

export function identifiersOfMessage(msg: SegmentMessage, email: string | null): MessageIdentifier[] {
  const out: MessageIdentifier[] = [];
  if (msg.anonymousId) out.push({ kind: 'anonymous_id', value: msg.anonymousId });
  if (msg.userId) out.push({ kind: 'user_id', value: msg.userId });
  if (email) out.push({ kind: 'email', value: email });
  if (msg.type === 'alias' && msg.previousId) out.push({ kind: 'anonymous_id', value: msg.previousId }, { kind: 'user_id', value: msg.previousId });
  return out;
}

/** An identify that grants some purpose: the person came back and consented, so their suppression ends. */
export function grantsConsent(msg: SegmentMessage, at: Date): boolean {
  if (msg.type !== 'identify') return false;
  const traits = { ...msg.context?.traits, ...msg.traits };
  return consentFromIdentify(traits, msg.context, { at, source: 'suppression-check' }).some((c) => c.status === 'granted');
}
