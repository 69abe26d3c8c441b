import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import type { z } from 'zod';
import type { searchAnswerDto } from '../../../../src/server/contract/search.contract.ts';
import { get } from '../../api/client.ts';
import { contactName } from '../../ui/format.ts';
import '../lists/lists.css';

type Answer = z.infer<typeof searchAnswerDto>;
type Hit = { key: string; to: string; title: string; sub: string; group: 'People' | 'Accounts' };

/**
 * The header's "find a person" box: type an email (or a name, a company, a domain), Enter opens the
 * best match — the person with exactly that email first. Arrow keys move through the suggestions.
 */
export function HeaderSearch() {
  const [text, setText] = useState('');
  const [debounced, setDebounced] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const listId = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(text.trim()), 200);
    return () => clearTimeout(t);
  }, [text]);
  const results = useQuery({ queryKey: ['search', debounced], queryFn: () => get<Answer>(`/api/v1/search?q=${encodeURIComponent(debounced)}`), enabled: debounced.length > 0, staleTime: 30_000 });
  const hits: Hit[] = results.data && debounced === text.trim() ? [
    ...results.data.people.map((p) => ({ key: p.id, to: `/contacts/${p.id}`, title: contactName(p), sub: [p.email, p.account?.name].filter(Boolean).join(' · '), group: 'People' as const })),
    ...results.data.accounts.map((a) => ({ key: a.id, to: `/accounts/${a.id}`, title: a.name, sub: a.domain ?? '', group: 'Accounts' as const })),
  ] : [];
  const go = (hit: Hit | undefined) => {
    if (!hit) return;
    setOpen(false);
    setText('');
    navigate(hit.to);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setOpen(true); setActive((i) => Math.min(i + 1, hits.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((i) => Math.max(i - 1, 0)); }
    else if (e.key === 'Escape') setOpen(false);
    else if (e.key === 'Enter') { e.preventDefault(); go(hits[active]); }
  };
  useEffect(() => setActive(0), [debounced]);
  const show = open && text.trim().length > 0;
  return (
    <div className="header-search" role="search" ref={box} onBlur={(e) => { if (!box.current?.contains(e.relatedTarget as Node)) setOpen(false); }}>
      <input type="search" aria-label="Find a person or account" placeholder="Find a person…" value={text}
        role="combobox" aria-expanded={show} aria-controls={listId} aria-autocomplete="list"
        aria-activedescendant={show && hits[active] ? `${listId}-${active}` : undefined}
        onChange={(e) => { setText(e.target.value); setOpen(true); }} onFocus={() => setOpen(true)} onKeyDown={onKeyDown} />
      {show ? (
        <ul className="search-results" id={listId} role="listbox" aria-label="Matches">
          {results.isFetching && !hits.length ? <li role="option" aria-selected={false} aria-disabled="true" className="group">Searching…</li> : null}
          {!results.isFetching && debounced && !hits.length ? <li role="option" aria-selected={false} aria-disabled="true" className="group">No person or account matches “{text.trim()}”.</li> : null}
          {hits.map((h, i) => (
            <li key={h.key} id={`${listId}-${i}`} role="option" aria-selected={i === active}>
              <a href={h.to} className={i === active ? 'active' : undefined} tabIndex={-1} onMouseDown={(e) => e.preventDefault()} onClick={(e) => { e.preventDefault(); go(h); }}>
                <span className="row-title">{h.title}</span> <span className="muted small">{h.group === 'Accounts' ? 'Account' : ''}</span>
                <div className="row-sub">{h.sub}</div>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
