import freeMailDomains from 'email-providers';
import { registrableDomain } from '../core/identity.ts';

// email-providers is a maintained list (~8,700 free and disposable mail domains); a Set keeps the
// lookup O(1) on the ingestion path.
const freeMail = new Set<string>(freeMailDomains as string[]);

/**
 * True for gmail.com, web.de, mailinator.com...: such domains never identify a company. The domain
 * as given and its registrable domain are both checked, so "mail.gmail.com" is free mail too.
 */
export function isFreeMailDomain(domain: string): boolean {
  const d = domain.trim().toLowerCase();
  return freeMail.has(d) || freeMail.has(registrableDomain(d));
}
