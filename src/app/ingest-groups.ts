import type { GroupMessage } from '../core/segment-message.schema.ts';
import { accountFromGroupTraits } from '../core/traits.rules.ts';
import { insertAccount } from '../storage/accounts.repo.ts';
import type { Trx } from '../storage/db.ts';
import { findAccountIdByGroupId, findAccountIdsByDomains, linkContactsToAccount, lockIdentities, mergeAccountAttributes } from '../storage/ingest.repo.ts';
import { isFreeMailDomain } from './free-mail.ts';

/**
 * `group` links a contact to an account (B2B). The account is found by the group's domain, then by
 * its groupId, else created from the group traits. An explicit group wins over email-domain
 * matching: it overrides the contact's account, while domain matching only fills an empty one.
 */
export async function applyGroups(trx: Trx, workspaceId: string, groups: { msg: GroupMessage; contactId: string }[], mode: 'overwrite' | 'fill_empty' = 'overwrite'): Promise<void> {
  if (groups.length === 0) return;
  await lockIdentities(trx, workspaceId, groups.map((g) => `group:${g.msg.groupId}`));
  for (const { msg, contactId } of groups) {
    const traits = accountFromGroupTraits(msg.groupId, msg.traits ?? {});
    const domain = traits.domain && !isFreeMailDomain(traits.domain) ? traits.domain : null;
    let accountId = domain ? (await findAccountIdsByDomains(trx, workspaceId, [domain])).get(domain) ?? null : null;
    accountId ??= await findAccountIdByGroupId(trx, workspaceId, msg.groupId);
    if (accountId) {
      await mergeAccountAttributes(trx, workspaceId, accountId, traits, mode);
    } else {
      const account = await insertAccount(trx, workspaceId, {
        name: traits.name ?? domain ?? msg.groupId, domain, industry: traits.industry, employeeCount: traits.employeeCount, attributes: traits.attributes,
      });
      accountId = account.id;
    }
    // A public key's group only links a contact without a company; a server key's moves it.
    await linkContactsToAccount(trx, workspaceId, [contactId], accountId, mode === 'overwrite');
  }
}
