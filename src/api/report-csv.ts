// Reports as CSV for spreadsheets: titled tables one after another, blank line between.
// Cells that a spreadsheet would run as a formula are neutralised, as in the audit export.

export function csvCell(v: string | number | boolean | undefined): string {
  const s = v === undefined ? '' : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface CsvTable {
  title: string;
  headers: string[];
  rows: (string | number | boolean | undefined)[][];
}

export function csvDocument(tables: readonly CsvTable[]): string {
  return tables
    .map((t) => [csvCell(t.title), t.headers.map(csvCell).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))].join('\r\n'))
    .join('\r\n\r\n') + '\r\n';
}
