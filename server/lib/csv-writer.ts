/**
 * The CSV the app writes (the reports, a feed run's refused rows), RFC 4180: a header row, CRLF
 * line ends, fields quoted when they hold a comma, a quote or a line break. A text field a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe: agent and
 * RM names are typed in by people.
 */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const lines = [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field((r as Record<string, unknown>)[c])).join(','))];
  // The byte-order mark makes Excel read UTF-8 (the Chinese names) instead of the local code page.
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
