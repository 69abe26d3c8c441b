import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, escapeSlackText, slackAlertMessage, truncateSlackText } from '../../src/core/slack-text.rules.ts';

describe('Slack text', () => {
  it('escapes &, < and > so mentions and disguised links arrive as text', () => {
    expect(escapeSlackText('<!channel> see <http://evil.example|Open lead> & more')).toBe('&lt;!channel&gt; see &lt;http://evil.example|Open lead&gt; &amp; more');
    expect(escapeSlackText('<@U123> <#C1> <!subteam^S1>')).not.toMatch(/[<>]/);
    // Already-escaped looking text is escaped again: it is data, not markup.
    expect(escapeSlackText('&lt;')).toBe('&amp;lt;');
  });

  it('defuses bare broadcast words and drops control characters', () => {
    expect(escapeSlackText('hi @channel and @HERE, @everyone')).toBe('hi @\u200bchannel and @\u200bHERE, @\u200beveryone');
    expect(escapeSlackText('a\u0000b\u0007c\nd\te')).toBe('abc\nd\te');
  });

  it('cuts to the limit with an ellipsis, never inside an entity or a surrogate pair', () => {
    expect(truncateSlackText('abcdef', 6)).toBe('abcdef');
    expect(truncateSlackText('abcdefg', 6)).toBe('abcde…');
    // 'abcd&amp;' cut at 6 would leave 'abcd&' — it backs up to before the entity.
    expect(truncateSlackText(escapeSlackText('abcd&xyz'), 7)).toBe('abcd…');
    expect(truncateSlackText('abcd😀xyz', 6)).toBe('abcd…');
    for (let n = 1; n < 40; n++) {
      const cut = truncateSlackText(escapeSlackText('<a&b>'.repeat(10)), n);
      expect(cut.length).toBeLessThanOrEqual(n);
      expect(cut).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });

  it('builds an alert message inside every Slack limit', () => {
    const huge = '<!channel> ' + 'x&'.repeat(10_000);
    const m = slackAlertMessage({ title: huge, body: huge, url: 'https://leadloop.example/leads/1' }) as { text: string; blocks: any[] };
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect(m.text.endsWith('\n<https://leadloop.example/leads/1>')).toBe(true);
    expect(m.text).toContain('…');
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(m.blocks[0].text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    expect(m.blocks[1].text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    expect(m.blocks[0].text.text.startsWith('&lt;!channel&gt;')).toBe(true);
    expect(JSON.stringify(m)).not.toContain('<!channel>');
    expect(m.blocks[2].elements[0].url).toBe('https://leadloop.example/leads/1');
  });

  it('keeps a short message whole', () => {
    const m = slackAlertMessage({ title: 'New lead: Ann', body: 'Why: score 80', url: 'https://l.example/leads/2' }) as { text: string; blocks: any[] };
    expect(m.text).toBe('New lead: Ann\nWhy: score 80\n<https://l.example/leads/2>');
    expect(m.blocks[1].text.text).toBe('Why: score 80');
  });
});
