import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../core/nurture/email-template.rules.ts';

/**
 * A plain server-rendered page for people following a link from an email (unsubscribe, preferences,
 * confirmation): no script, inline styles only, not indexed, never cached. `body` is trusted HTML
 * built by the caller with every value escaped.
 */
export function publicPage(reply: FastifyReply, status: number, title: string, body: string) {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .header('x-robots-tag', 'noindex')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`
      + `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`
      + `<body><main>${body}</main></body></html>`);
}

const STYLE = 'body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;line-height:1.5}'
  + 'main{max-width:38rem;margin:2rem auto;padding:0 1rem}'
  + 'section{border:1px solid #8a8a8a;border-radius:6px;padding:.25rem 1rem 1rem;margin:1rem 0}'
  + 'button{font:inherit;padding:.4rem .9rem;margin:.25rem .5rem .25rem 0;border:2px solid #1f4fa8;border-radius:4px;background:#fff;color:#1f4fa8;cursor:pointer}'
  + 'button.primary{background:#1f4fa8;color:#fff}button:focus-visible{outline:3px solid #b35900;outline-offset:2px}'
  + '.state{font-weight:600}[role=status]{background:#eef5ee;border-left:4px solid #2e7d32;padding:.5rem .75rem}'
  + '[role=alert]{background:#fdf0ee;border-left:4px solid #b3261e;padding:.5rem .75rem}';
