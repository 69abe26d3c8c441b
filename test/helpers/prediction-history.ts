import { expect } from 'vitest';
import type { TestApp } from './test-app.ts';

/** The history's CSV lines (header first, then the 240 closed people, then `extra`). The browser journey uploads them itself. */
export function predictionHistoryCsvLines(extra: string[]): string[] {
  const lines = ['email,first_name,title,created_at,lifecycle_stage,lead_status,tier'];
  for (let i = 0; i < 240; i++) {
    const enterprise = i % 2 === 0;
    const converted = enterprise ? i % 10 !== 0 : i % 10 === 1;
    const day = new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    lines.push([`p${i}@buyer${i}.example`, `P${i}`, enterprise ? 'VP Sales' : 'Analyst', day, converted ? 'opportunity' : 'lead', converted ? '' : 'Unqualified', enterprise ? 'enterprise' : 'smb'].join(','));
  }
  lines.push(...extra);
  return lines;
}

/**
 * Imports a closed history a conversion model can learn from, through the CSV import API: 240 people, of whom
 * enterprise-tier VPs mostly reached a deal and the rest mostly were unqualified, plus `extra` rows (people
 * without an outcome, in the same columns: email,first_name,title,created_at,lifecycle_stage,lead_status,tier).
 */
export async function importPredictionHistory(t: TestApp, extra: string[]): Promise<void> {
  const lines = predictionHistoryCsvLines(extra);
  const boundary = '----prediction-history-boundary';
  const payload = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="entity"\r\n\r\ncontacts\r\n--${boundary}\r\nContent-Disposition: form-data; name="preset"\r\n\r\ngeneric\r\n`
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="history.csv"\r\nContent-Type: text/csv\r\n\r\n${lines.join('\n')}\n\r\n--${boundary}--\r\n`);
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/imports', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${t.keys.write}` } });
  expect(r.statusCode, r.body).toBeLessThan(300);
}
