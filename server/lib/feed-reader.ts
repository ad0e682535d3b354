import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { createInterface } from 'node:readline';

/** One record of a feed file, by the line it starts on; or the reason that line could not be read. */
export type FeedRecord =
  | { line: number; fields: Record<string, unknown> }
  | { line: number; error: { code: 'csv_malformed' | 'json_malformed'; message: string } };

export type FeedFormat = 'csv' | 'jsonl';

/**
 * The longest record a feed may hold. Without a bound, a quote never closed makes the rest of a
 * CSV file one record, and a JSON line without its newline one line, held whole in memory.
 */
export const MAX_RECORD_BYTES = 256 * 1024;
const TOO_LARGE = {
  csv: `a record longer than ${MAX_RECORD_BYTES / 1024} KiB (a quote never closed?): the rest of the file was not read`,
  jsonl: `a line longer than ${MAX_RECORD_BYTES / 1024} KiB: the rest of the file was not read`,
};

/**
 * Passes a feed's bytes on a whole record at a time: a newline ends a record unless a CSV quoted
 * field is open. As in RFC 4180 (and csv-parse), a quote opens a field only at its start (blanks
 * before it aside); inside one, `""` is a quote and a lone `"` closes it; a quote in the middle of
 * an unquoted field opens nothing (csv-parse refuses that one line). A record past MAX_RECORD_BYTES
 * ends the stream just before it, never a piece of it (what came before is read as usual), and
 * leaves the line it started on in `tooLarge`; the rest of the input is drained unread.
 */
function recordLimit(quotes: boolean): Transform & { tooLarge: number | null } {
  let open = false; // inside a quoted field
  let closing = false; // a quote inside a quoted field was the last byte: it closes it, unless a quote follows (`""`)
  let blank = true; // the field so far holds nothing but blanks: a quote here opens it
  let line = 1;
  let startLine = 1;
  // The record under way: its bytes so far, held until it ends (never more than MAX_RECORD_BYTES).
  let pending: Buffer = Buffer.alloc(0);
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (limit.tooLarge !== null) return done();
      let lastEnd = 0; // where the last whole record in this chunk ends
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        // The record under way: what was held from earlier chunks (until this chunk's first record ended) and this chunk's part.
        if ((lastEnd === 0 ? pending.length : 0) + i + 1 - lastEnd > MAX_RECORD_BYTES) {
          // The records before it go on; this one's bytes are dropped.
          limit.tooLarge = startLine;
          if (lastEnd > 0) this.push(Buffer.concat([pending, chunk.subarray(0, lastEnd)]));
          this.push(null);
          return done();
        }
        if (b === 0x0a) line++;
        if (closing) {
          closing = false;
          if (b === 0x22) continue; // "" inside quotes: still open
          open = false;
        }
        if (open) {
          if (b === 0x22) closing = true;
          continue;
        }
        if (b === 0x0a) { lastEnd = i + 1; startLine = line; blank = true; }
        else if (b === 0x2c) blank = true;
        else if (b === 0x22 && quotes && blank) { open = true; blank = false; }
        else if (b !== 0x20 && b !== 0x09 && b !== 0x0d) blank = false;
      }
      // One push a chunk: every record that ended in it; what is left waits for the next.
      if (lastEnd > 0) {
        this.push(Buffer.concat([pending, chunk.subarray(0, lastEnd)]));
        pending = chunk.subarray(lastEnd);
      } else {
        pending = Buffer.concat([pending, chunk]);
      }
      done();
    },
    flush(done) {
      if (limit.tooLarge === null && pending.length) this.push(pending);
      done();
    },
  }) as Transform & { tooLarge: number | null };
  limit.tooLarge = null;
  return limit;
}

/**
 * Reads a feed file as a stream, one record at a time (a million rows never sit in memory): CSV
 * per RFC 4180 (a header row; "quoted, fields", quoted newlines, "" for a quote) or JSON lines.
 * A record that cannot be read is yielded as an error with its line and the rest still come.
 * CSV values stay strings with the surrounding blanks trimmed; an empty field is absent, so a
 * CSV file's columns are told once, as `onHeader` (lower-cased), before its first record.
 */
export async function* readFeed(input: Readable, format: FeedFormat, onHeader?: (names: string[]) => void): AsyncGenerator<FeedRecord> {
  const limited = input.pipe(recordLimit(format === 'csv'));
  input.on('error', (err) => limited.destroy(err));
  if (format === 'jsonl') {
    let line = 0;
    for await (const raw of createInterface({ input: limited, crlfDelay: Infinity })) {
      line++;
      const text = (line === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      let value: unknown;
      try { value = JSON.parse(text); } catch { yield { line, error: { code: 'json_malformed', message: 'not a JSON object' } }; continue; }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { line, error: { code: 'json_malformed', message: 'not a JSON object' } };
      else yield { line, fields: value as Record<string, unknown> };
    }
    if (limited.tooLarge !== null) yield { line: limited.tooLarge, error: { code: 'json_malformed', message: TOO_LARGE.jsonl } };
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
  limited.pipe(parser);
  limited.on('error', (err) => parser.destroy(err));
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
  if (limited.tooLarge !== null) yield { line: limited.tooLarge, error: { code: 'csv_malformed', message: TOO_LARGE.csv } };
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
