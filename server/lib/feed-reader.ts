import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { createInterface } from 'node:readline';

/** One record of a feed file, by the line it starts on; or the reason that line could not be read. */
export type FeedRecord =
  | { line: number; fields: Record<string, unknown> }
  | { line: number; error: { code: 'csv_malformed' | 'json_malformed'; message: string } };

export type FeedFormat = 'csv' | 'jsonl';

/**
 * Reads a feed file as a stream, one record at a time (a million rows never sit in memory): CSV
 * per RFC 4180 (a header row; "quoted, fields", quoted newlines, "" for a quote) or JSON lines.
 * A record that cannot be read is yielded as an error with its line and the rest still come.
 * CSV values stay strings with the surrounding blanks trimmed; an empty field is absent, so a
 * CSV file's columns are told once, as `onHeader` (lower-cased), before its first record.
 */
export async function* readFeed(input: Readable, format: FeedFormat, onHeader?: (names: string[]) => void): AsyncGenerator<FeedRecord> {
  if (format === 'jsonl') {
    let line = 0;
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      let value: unknown;
      try { value = JSON.parse(text); } catch { yield { line, error: { code: 'json_malformed', message: 'not a JSON object' } }; continue; }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { line, error: { code: 'json_malformed', message: 'not a JSON object' } };
      else yield { line, fields: value as Record<string, unknown> };
    }
    return;
  }
  const parser = parse({
    bom: true, trim: true,
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim().toLowerCase());
      onHeader?.(names);
      return names;
    },
    skip_empty_lines: true, skip_records_with_error: true, info: true, raw: true,
  });
  // Records a broken one skipped: reported in order with the good ones.
  const skipped: { line: number; error: { code: 'csv_malformed'; message: string }; unclosed: boolean }[] = [];
  let lastSkipped = -1;
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    // csv-parse may report one broken record more than once.
    if (err.lines === lastSkipped) return;
    lastSkipped = err.lines ?? 0;
    skipped.push({ line: err.lines ?? 0, error: { code: 'csv_malformed', message: csvMessage(err) }, unclosed: err.code === 'CSV_QUOTE_NOT_CLOSED' });
  });
  input.pipe(parser);
  input.on('error', (err) => parser.destroy(err));
  let lastEnd = 1;
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number }; raw: string }>) {
      // info.lines is the line the record ends on; a quoted newline makes it start earlier.
      const newlines = (rec.raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length;
      const line = rec.info.lines - newlines;
      while (skipped.length && skipped[0]!.line < line) yield skipped.shift()!;
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rec.record)) if (v !== '') fields[k] = v;
      lastEnd = rec.info.lines;
      yield { line, fields };
    }
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    if (!e.code?.startsWith('CSV_') && !e.code?.startsWith('INVALID_')) throw err;
    skipped.push({ line: e.lines ?? 0, error: { code: 'csv_malformed', message: csvMessage(e) }, unclosed: e.code === 'CSV_QUOTE_NOT_CLOSED' });
  }
  // An unclosed quote swallows the rest of the file; csv-parse says where the file ended, the
  // quote opened on the record after the last good one.
  for (const s of skipped) yield { line: s.unclosed && s.line > lastEnd ? lastEnd + 1 : s.line, error: s.error };
}

// csv-parse's messages quote the offending text, which may be a name or a phone: keep only the kind
// (by the codes csv-parse 7 raises with `columns` and `trim` on).
function csvMessage(err: { code?: string }): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED': return 'a quoted field is never closed';
    case 'INVALID_OPENING_QUOTE': return 'a quote inside an unquoted field';
    case 'CSV_INVALID_CLOSING_QUOTE': case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE': return 'text after a closing quote';
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': return 'not as many fields as the header';
    default: return `unreadable CSV (${err.code ?? 'error'})`;
  }
}
