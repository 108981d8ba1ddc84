/**
 * Market-data commands of the CLI: `import` (files or zips, several of one symbol become one
 * dataset; progress on stderr when it is a terminal), `datasets` (list, `delete ID`,
 * `rename ID NAME`), `resample ID --timeframe 1h`, `crashes ID`.
 */
import path from 'node:path';
import { ApiError } from '../../../shared/errors';
import { timeframeName, type Dataset } from '../../../shared/domain';
import { formatCount } from '../../../shared/format';
import type { CliCommand } from './command';

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

function datasetId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new ApiError('invalid_input', `dataset id "${raw ?? ''}" is not a positive whole number`, { field: 'ID' });
  return id;
}

function describe(d: Dataset): string {
  const gaps = d.gaps > 0 ? `  ${formatCount(d.gaps)} gaps (${formatCount(d.missingBars)} bars)` : '';
  return `${String(d.id).padStart(4)}  ${(d.name ?? d.symbol).padEnd(12)} ${d.symbol.padEnd(10)} ${timeframeName(d.barSeconds).padEnd(4)} ${String(d.rows).padStart(8)} rows  ${iso(d.firstTime)} – ${iso(d.lastTime)}  ${d.venue ?? ''} ${d.market}${gaps}  [${d.sources.map((s) => s.fileName).join(', ')}]`;
}

/** Parses "1h", "24h", "90m" into seconds. */
function windowSeconds(text: string): number {
  const m = /^(\d+)([mhd])$/.exec(text.trim());
  if (!m) throw new ApiError('invalid_input', `window "${text}" is not like 1h, 24h or 90m`, { field: 'window' });
  return Number(m[1]) * { m: 60, h: 3600, d: 86400 }[m[2] as 'm' | 'h' | 'd'];
}

export const MARKET_DATA_COMMANDS: Record<string, CliCommand> = {
  import: {
    summary: 'import candle files or zips (Binance kline, generic OHLCV, TradingView export)',
    usage: 'import FILE… [--symbol SYM] [--timeframe 1m] [--venue NAME] [--market spot|perp]',
    options: { symbol: { type: 'string' }, timeframe: { type: 'string' }, venue: { type: 'string' }, market: { type: 'string' } },
    async run(api, { values, positionals }, out) {
      if (positionals.length === 0) throw new ApiError('invalid_input', 'name at least one file to import', { field: 'FILE' });
      const market = values.market as string | undefined;
      if (market !== undefined && !['spot', 'perp', 'index', 'unknown'].includes(market)) {
        throw new ApiError('invalid_input', `--market ${market}: expected spot, perp, index or unknown`, { field: 'market' });
      }
      const job = `cli-${process.pid}`;
      const tty = process.stderr.isTTY === true;
      const unsubscribe = api.subscribe((event) => {
        if (!tty || event.type !== 'progress' || event.job !== job) return;
        const pct = event.total > 0 ? Math.round((event.done / event.total) * 100) : 0;
        const eta = event.etaSeconds != null && event.phase === 'reading' ? `, ${Math.round(event.etaSeconds)} s left` : '';
        process.stderr.write(`\r${event.label}: ${pct}% ${event.phase ?? ''}, ${formatCount(event.rows ?? 0)} rows, ${formatCount(event.rowsPerSecond ?? 0)} rows/s${eta}   `);
        if (event.phase !== 'reading' && event.phase !== 'storing') process.stderr.write('\n');
      });
      try {
        const result = await api.call('datasets.importFiles', {
          paths: positionals.map((f) => path.resolve(f)),
          job,
          ...(values.symbol ? { symbol: values.symbol as string } : {}),
          ...(values.timeframe ? { timeframe: values.timeframe as string } : {}),
          ...(values.venue ? { venue: values.venue as string } : {}),
          ...(market ? { market: market as 'spot' | 'perp' | 'index' | 'unknown' } : {}),
        });
        for (const f of result.files) {
          const d = result.datasets.find((x) => x.id === f.datasetId)!;
          out.line(
            f.alreadyImported
              ? `${f.fileName}: already imported as dataset ${d.id} (${d.symbol} ${timeframeName(d.barSeconds)}); nothing stored`
              : `${f.fileName}: dataset ${d.id}, ${d.symbol} ${timeframeName(d.barSeconds)}, ${f.added} rows, ${iso(d.firstTime)} – ${iso(d.lastTime)}`,
          );
        }
        for (const warning of result.warnings) out.line(`  warning: ${warning}`);
        out.result(result.files.map((f) => ({ file: f.fileName, ...result, dataset: result.datasets.find((x) => x.id === f.datasetId), added: f.added, alreadyImported: f.alreadyImported })));
      } finally {
        unsubscribe();
      }
    },
  },
  datasets: {
    summary: 'list stored datasets (range, rows, gaps, sources); `datasets delete ID`, `datasets rename ID NAME`',
    usage: 'datasets [delete ID | rename ID NAME]',
    options: {},
    async run(api, { positionals }, out) {
      const [action, rawId, ...rest] = positionals;
      if (action === 'delete') {
        const id = datasetId(rawId);
        const { deleted } = await api.call('datasets.delete', { id });
        if (!deleted) throw new ApiError('not_found', `no dataset with id ${id}`, { field: 'ID' });
        out.line(`dataset ${id} deleted`);
        out.result({ deleted: id });
        return;
      }
      if (action === 'rename') {
        const dataset = await api.call('datasets.rename', { id: datasetId(rawId), name: rest.join(' ') || null });
        out.line(describe(dataset));
        out.result(dataset);
        return;
      }
      if (action !== undefined) throw new ApiError('invalid_input', `unknown action "${action}": use delete ID or rename ID NAME`, { field: 'action' });
      const datasets = await api.call('datasets.list', {});
      if (datasets.length === 0) out.line('no datasets yet: import one with `npm run cli -- import FILE`');
      for (const d of datasets) out.line(describe(d));
      out.result(datasets);
    },
  },
  resample: {
    summary: 'print a dataset resampled to a larger bar size (CSV, or columns with --json)',
    usage: 'resample ID --timeframe 1h [--from UNIX] [--to UNIX]',
    options: { timeframe: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    async run(api, { values, positionals }, out) {
      const id = datasetId(positionals[0]);
      if (!values.timeframe) throw new ApiError('invalid_input', 'give --timeframe, e.g. 1h', { field: 'timeframe' });
      const num = (v: unknown, field: string): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 0) throw new ApiError('invalid_input', `--${field} ${String(v)} is not a Unix time in seconds`, { field });
        return n;
      };
      const from = num(values.from, 'from');
      const to = num(values.to, 'to');
      const bars = await api.call('datasets.candles', { id, timeframe: values.timeframe as string, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
      out.line('time,open,high,low,close,volume');
      for (let i = 0; i < bars.time.length; i++) out.line(`${bars.time[i]},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`);
      out.result({ id, timeframe: values.timeframe, ...bars });
    },
  },
  crashes: {
    summary: 'largest drops of a dataset within windows, and the catalog events it covers',
    usage: 'crashes ID [--window 1h,24h] [--limit 5]',
    options: { window: { type: 'string' }, limit: { type: 'string' } },
    async run(api, { values, positionals }, out) {
      const id = datasetId(positionals[0]);
      const windows = ((values.window as string | undefined) ?? '1h,24h').split(',').map(windowSeconds);
      const limit = values.limit === undefined ? 5 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new ApiError('invalid_input', `--limit ${String(values.limit)}: 1 to 50`, { field: 'limit' });
      const report = await api.call('datasets.crashes', { id, windows, limit });
      for (const w of report.windows) {
        out.line(`largest drops within ${w.windowSeconds / 3600}h:`);
        for (const d of w.drops) {
          out.line(`  -${(d.drop * 100).toFixed(1)}%  ${iso(d.fromTime)} close ${d.fromPrice} → ${iso(d.toTime)} low ${d.toPrice}`);
        }
      }
      for (const e of report.events) out.line(`covers ${e.title} (${e.from}): ${e.description}`);
      out.result(report);
    },
  },
};
