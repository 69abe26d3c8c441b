/**
 * What a browser or `curl -F` sends to POST /api/v1/imports: a multipart body with the entity (and any other form
 * fields) and the CSV file. Answers the inject options without the authorization header.
 */
export function csvImportRequest(entity: string, fileName: string, csv: string, fields: Record<string, string> = {}) {
  const boundary = '----leadloop-csv-upload';
  const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const payload = Buffer.from([
    part('entity', entity),
    ...Object.entries(fields).map(([k, v]) => part(k, v)),
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
    `--${boundary}--\r\n`,
  ].join(''));
  return { method: 'POST' as const, url: '/api/v1/imports', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
