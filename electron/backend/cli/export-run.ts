/**
 * `export-run ID --format csv|json [--table events|series] [--out FILE]`: a stored run as CSV
 * (its events, or its per-bar series) or as one JSON document with its full parameters. The
 * same builders as the UI's export buttons (shared/runs.ts). Without --out, writes to stdout.
 */
import fs from 'node:fs';
import { ApiError } from '../../../shared/errors';
import { runEventsCsv, runJson, runSeriesCsv } from '../../../shared/runs';
import type { CliCommand } from './command';

export const EXPORT_COMMANDS: Record<string, CliCommand> = {
  'export-run': {
    summary: 'export a stored run (events or per-bar series CSV, or JSON with its parameters)',
    usage: 'export-run ID --format csv|json [--table events|series] [--out FILE]',
    options: { format: { type: 'string' }, table: { type: 'string' }, out: { type: 'string' } },
    async run(api, { values, positionals }, out) {
      const id = Number(positionals[0]);
      if (!Number.isInteger(id) || id <= 0) throw new ApiError('invalid_input', `run id "${positionals[0] ?? ''}" is not a positive integer`, { field: 'ID' });
      const format = (values.format as string | undefined) ?? 'json';
      if (format !== 'csv' && format !== 'json') throw new ApiError('invalid_input', '--format must be csv or json', { field: 'format' });
      const table = (values.table as string | undefined) ?? 'events';
      if (table !== 'events' && table !== 'series') throw new ApiError('invalid_input', '--table must be events or series', { field: 'table' });
      const detail = await api.call('runs.get', { id });
      const text = format === 'json' ? runJson(detail) : table === 'events' ? runEventsCsv(detail) : runSeriesCsv(detail);
      const file = values.out as string | undefined;
      if (file) {
        fs.writeFileSync(file, text);
        out.line(`run ${id}: wrote ${format === 'json' ? 'JSON' : `${table} CSV`} to ${file} (${text.length.toLocaleString('en-US')} characters)`);
        out.result({ id, format, table: format === 'csv' ? table : null, out: file, characters: text.length });
      } else {
        out.line(text.trimEnd());
        out.result({ id, format, table: format === 'csv' ? table : null, text });
      }
    },
  },
};
