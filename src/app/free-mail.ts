import freeMailDomains from 'email-providers';

// email-providers is a maintained list (~8,700 free and disposable mail domains); a Set keeps the
// lookup O(1) on the ingestion path.
const freeMail = new Set<string>(freeMailDomains as string[]);

/** True for gmail.com, web.de, mailinator.com...: such domains never identify a company. */
export function isFreeMailDomain(domain: string): boolean {
  return freeMail.has(domain.toLowerCase());
}
