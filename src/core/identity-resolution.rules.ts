/**
 * Identity resolution as a pure plan: given what the database knows about the identities in a
 * batch, decide which contact every message belongs to, which contacts to create, which identities
 * to bind, which anonymous contacts to merge into known ones, and which conflicts to record.
 *
 * Rules (why: a wrong automatic merge mixes two people's histories and is hard to undo):
 * - userId is the sender's canonical id, then email, then anonymousId.
 * - A contact with an email is never merged into a contact with another email: that is a conflict.
 * - Only contacts without an email are merged (losers), so merges never break "one contact per email".
 * - A second known person on one device (an identify whose email differs from the email of the
 *   contact the anonymous id belongs to) is never folded into the first: that person is created
 *   (or found by email), the message is theirs, and a conflict names both contacts. The device then
 *   follows whoever identified last: the anonymous id is rebound, so its *future* events go to the
 *   second person, while what it did before stays with the first (nothing is moved or dropped).
 *   Segment's Unify resolves the same clash by dropping the lower-priority anonymous id from the
 *   incoming event (the cookie stays with the first profile); we move it, because on a shared
 *   browser the person at the keyboard is the one who identified last, and the conflict row keeps
 *   the decision reviewable.
 */
export type IdentityKind = 'anonymous_id' | 'user_id' | 'email';
export const identityKey = (kind: IdentityKind, value: string) => `${kind}:${value}`;

export type KnownContact = { id: string; email: string | null };
export type IdentitySnapshot = { bindings: ReadonlyMap<string, string>; contacts: ReadonlyMap<string, KnownContact> };

export type IdentityRequest = {
  anonymousId: string | null; userId: string | null; email: string | null;
  /** alias: the previous id (user or anonymous) whose contact joins userId's. */
  previousId?: string | null;
  cause: string;
  messageId: string | null;
};

export type Merge = { winnerId: string; loserId: string; cause: string; messageId: string | null; via: string };
export type Conflict = { contactId: string; otherContactId: string | null; kind: IdentityKind; value: string; reason: string; messageId: string | null };
export type Binding = { kind: IdentityKind; value: string; contactId: string };
/** An existing identity that now points to another contact (the device follows the last identified person). */
export type Rebinding = Binding & { fromContactId: string };

export type IdentityPlan = {
  /** Final contact of each request, after every merge in the batch. */
  contactOf: string[];
  newContacts: KnownContact[];
  bindings: Binding[];
  /** Existing contacts that get their first email. */
  emails: { contactId: string; email: string }[];
  /** Merges whose loser exists in the database (in-batch newcomers are simply folded). */
  merges: Merge[];
  conflicts: Conflict[];
  /** Identities already stored that move to another contact from now on (history stays). */
  rebindings: Rebinding[];
};

export function resolveIdentities(snapshot: IdentitySnapshot, requests: readonly IdentityRequest[], mintId: () => string): IdentityPlan {
  const bindings = new Map(snapshot.bindings);
  const contacts = new Map<string, KnownContact>();
  for (const [k, c] of snapshot.contacts) contacts.set(k, { ...c });
  const created = new Set<string>();
  const mergedInto = new Map<string, string>();
  const merges: Merge[] = [];
  const conflicts: Conflict[] = [];
  const newBindings = new Map<string, Binding>();
  const emails = new Map<string, string>();
  const rebound = new Map<string, Rebinding>();

  const find = (id: string): string => { let c = id; while (mergedInto.has(c)) c = mergedInto.get(c)!; return c; };
  const lookup = (kind: IdentityKind, value: string | null) => {
    if (!value) return undefined;
    const c = bindings.get(identityKey(kind, value));
    return c ? find(c) : undefined;
  };
  const emailOf = (id: string) => contacts.get(id)?.email ?? null;
  const bind = (kind: IdentityKind, value: string | null, contactId: string) => {
    if (!value) return;
    const key = identityKey(kind, value);
    if (bindings.has(key)) return;
    bindings.set(key, contactId);
    newBindings.set(key, { kind, value, contactId });
  };
  /** Points an identity at another contact; one bound earlier in this batch is simply re-pointed. */
  const rebind = (kind: IdentityKind, value: string, contactId: string) => {
    const key = identityKey(kind, value);
    const from = bindings.get(key);
    bindings.set(key, contactId);
    const fresh = newBindings.get(key);
    if (fresh) { newBindings.set(key, { ...fresh, contactId }); return; }
    const earlier = rebound.get(key);
    rebound.set(key, { kind, value, contactId, fromContactId: earlier?.fromContactId ?? from! });
  };
  const mint = () => {
    const id = mintId();
    created.add(id);
    contacts.set(id, { id, email: null });
    return id;
  };
  const merge = (loserId: string, winnerId: string, req: IdentityRequest, via: string) => {
    mergedInto.set(loserId, winnerId);
    if (!created.has(loserId)) merges.push({ winnerId, loserId, cause: req.cause, messageId: req.messageId, via });
  };

  const contactOf = requests.map((req) => {
    let email = req.email;
    let target = lookup('user_id', req.userId);
    if (req.previousId) {
      const previous = lookup('user_id', req.previousId) ?? lookup('anonymous_id', req.previousId);
      if (previous && target && previous !== target) {
        const [pe, te] = [emailOf(previous), emailOf(target)];
        if (pe && te && pe !== te) {
          conflicts.push({ contactId: target, otherContactId: previous, kind: 'user_id', value: req.previousId, reason: 'alias would merge two contacts with different emails', messageId: req.messageId });
        } else if (pe && !te) {
          merge(target, previous, req, `alias ${req.previousId}`); target = previous;
        } else {
          merge(previous, target, req, `alias ${req.previousId}`);
        }
      } else if (previous && !target) {
        target = previous;
      }
    }
    if (email) {
      const byEmail = lookup('email', email);
      if (target) {
        const te = emailOf(target);
        if (te && te !== email) {
          conflicts.push({ contactId: target, otherContactId: byEmail ?? null, kind: 'email', value: email, reason: `userId ${req.userId} is bound to ${te}`, messageId: req.messageId });
          email = null;
        } else if (byEmail && byEmail !== target) {
          merge(target, byEmail, req, `email ${email}`);
          target = byEmail;
        }
      } else {
        target = byEmail;
      }
    }
    const anon = lookup('anonymous_id', req.anonymousId);
    const anonEmail = anon ? emailOf(anon) : null;
    // A second, unknown person identifies on a device that belongs to a known one: a new contact.
    if (anon && !target && email && anonEmail && anonEmail !== email) target = mint();
    if (anon && target && anon !== target) {
      const ae = anonEmail;
      const te = email ?? emailOf(target);
      if (ae && ae !== te) {
        // Only a known second person takes the device; one without an email (a bare userId) may be
        // the device's owner under another id, so the device stays and the conflict is for review.
        const reason = te ? `second person on one device: the anonymous id belonged to ${ae}; its later events go to ${te}` : `anonymous id already belongs to ${ae}`;
        conflicts.push({ contactId: target, otherContactId: anon, kind: 'anonymous_id', value: req.anonymousId!, reason, messageId: req.messageId });
        if (te) rebind('anonymous_id', req.anonymousId!, target);
      } else if (ae && !emailOf(target)) {
        merge(target, anon, req, `anonymous_id ${req.anonymousId}`); target = anon;
      } else {
        merge(anon, target, req, `anonymous_id ${req.anonymousId}`);
      }
    }
    target ??= anon ?? mint();
    if (email && !emailOf(target)) {
      contacts.get(target)!.email = email;
      emails.set(target, email);
    }
    bind('user_id', req.userId, target);
    bind('anonymous_id', req.anonymousId, target);
    if (email && emailOf(target) === email) bind('email', email, target);
    if (req.previousId && !lookup('user_id', req.previousId) && !lookup('anonymous_id', req.previousId)) bind('user_id', req.previousId, target);
    return target;
  });

  const newContacts = [...created].filter((id) => !mergedInto.has(id)).map((id) => ({ id, email: contacts.get(id)!.email }));
  return {
    contactOf: contactOf.map(find),
    newContacts,
    bindings: [...newBindings.values()].map((b) => ({ ...b, contactId: find(b.contactId) })),
    emails: [...emails].map(([contactId, email]) => ({ contactId: find(contactId), email }))
      .filter((e) => !created.has(e.contactId) && snapshot.contacts.get(e.contactId)?.email !== e.email),
    merges: merges.map((m) => ({ ...m, winnerId: find(m.winnerId) })),
    conflicts: conflicts.map((c) => ({ ...c, contactId: find(c.contactId), otherContactId: c.otherContactId && find(c.otherContactId) })),
    rebindings: [...rebound.values()].map((r) => ({ ...r, contactId: find(r.contactId) })).filter((r) => r.contactId !== r.fromContactId),
  };
}
