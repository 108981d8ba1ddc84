/** `download`: fetch Binance public-data daily kline zips for a window and import them. */
import { ApiError } from '../../../shared/errors';
import { timeframeName } from '../../../shared/domain';
import type { CliCommand } from './command';

function day(text: unknown, field: string): number {
  const ms = typeof text === 'string' ? Date.parse(`${text.slice(0, 10)}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms)) throw new ApiError('invalid_input', `--${field} must be a day like 2020-03-12`, { field });
  return ms / 1000;
}

export const DOWNLOAD_COMMANDS: Record<string, CliCommand> = {
  download: {
    summary: 'download Binance public-data daily klines for a window and import them (needs the network)',
    usage: 'download --symbol BTCUSDT --from 2020-03-12 [--to 2020-03-13] [--market spot|perp] [--timeframe 1m] [--base-url URL]',
    options: { symbol: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, market: { type: 'string' }, timeframe: { type: 'string' }, 'base-url': { type: 'string' } },
    async run(api, { values }, out) {
      if (!values.symbol) throw new ApiError('invalid_input', 'give --symbol, e.g. BTCUSDT', { field: 'symbol' });
      const from = day(values.from, 'from');
      const to = values.to === undefined ? from : day(values.to, 'to');
      const market = (values.market as string | undefined) ?? 'spot';
      if (market !== 'spot' && market !== 'perp') throw new ApiError('invalid_input', '--market must be spot or perp', { field: 'market' });
      const result = await api.call('datasets.download', {
        symbol: String(values.symbol).toUpperCase(),
        market,
        timeframe: ((values.timeframe as string | undefined) ?? '1m') as '1m',
        from,
        to,
        ...(values['base-url'] ? { baseUrl: values['base-url'] as string } : {}),
      });
      const d = result.dataset;
      out.line(
        result.alreadyImported
          ? `already stored as dataset ${d.id}; nothing new`
          : `dataset ${d.id}: ${d.symbol} ${timeframeName(d.barSeconds)} ${d.market}, ${result.added} rows added`,
      );
      out.result(result);
    },
  },
};
