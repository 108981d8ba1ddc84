/**
 * `validate` and `design`: the model validation against six real crashes and the liquidation
 * mechanism design lab (issue 9), through the same contract as the app. Both print the
 * assumptions the figures rest on; `--json` prints one document with everything.
 */
import type { Api } from '../../../shared/contract';
import type { DesignMatrixInfo } from '../../../shared/validation';
import type { CliCommand, CliOutput } from './command';
import { describeLiquidity, describePopulation } from '../../../shared/validation';
import { ApiError } from '../../../shared/errors';

const usd = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : Math.abs(x) >= 1e9 ? `$${(x / 1e9).toFixed(2)}B` : `$${(x / 1e6).toFixed(0)}M`);
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/**
 * How an event's exogenous (de-impacted) path was found, for the text output: whether the fixed
 * point converged, its iterations and residual (max |ln(baseline effective close / observed close)|).
 */
export function deimpactLine(x: DesignMatrixInfo['events'][number]['exogenousPath']): string {
  const residual = `residual ${typeof x.residual === 'number' && Number.isFinite(x.residual) ? x.residual.toExponential(2) : '—'} (tolerance ${x.tolerance.toExponential(0)})`;
  return x.converged
    ? `de-impacted path: converged in ${x.iterations} iterations, ${residual}`
    : `de-impacted path: NOT converged after ${x.iterations} iterations, ${residual}, damping ${x.damping}; the baseline does not reproduce the observed closes within tolerance`;
}

async function printAssumptions(api: Api, out: CliOutput): Promise<{ topic: string; text: string }[]> {
  const assumptions = await api.call('validation.assumptions', {});
  out.line('');
  out.line('Assumptions:');
  for (const a of assumptions) out.line(`  - ${a.topic}: ${a.text}`);
  return assumptions;
}

const onProgress = (api: Api, out: CliOutput, job: string): (() => void) =>
  api.subscribe((event) => {
    if (event.type === 'progress' && event.job === job && !out.json && process.stderr.isTTY) process.stderr.write(`\r${event.label} ${event.done}/${event.total}   `);
  });

export const VALIDATION_COMMANDS: Record<string, CliCommand> = {
  validate: {
    summary: 'estimated vs observed liquidations on six real crashes (calibrated on three, three out of sample), lending check, assumptions',
    usage: 'validate',
    options: {},
    async run(api, _args, out) {
      const job = `validate-${process.pid}`;
      const stop = onProgress(api, out, job);
      const report = await api.call('validation.run', { job });
      stop();
      const lending = await api.call('validation.lending', {});
      const p = report.parameters;
      out.line(`Model validation (engine ${report.engineVersion}; stored run #${report.runId}; data read in place from ${report.dataDir})`);
      out.line(`Fitted on ${report.calibration?.inSample.join(', ') ?? '—'}: ${describePopulation(p)}`);
      out.line('');
      out.line('event       sample  estimated   observed    ratio  within 2×  est. longs  obs. longs  40-min share (est/obs)');
      for (const e of report.events) {
        const prof = e.observedProfile ? `${pct(e.estimate.profile.shareWithin40Minutes)} / ${pct(e.observedProfile.shareWithin40Minutes)}` : pct(e.estimate.profile.shareWithin40Minutes);
        out.line(
          `${e.id}  ${e.sample.padEnd(6)}  ${usd(e.estimate.estimated.total).padStart(9)}  ${usd(e.observed.btcNotional).padStart(9)}  ${e.ratio.toFixed(2).padStart(6)}  ${(e.within2x ? 'yes' : 'no').padEnd(9)}  ${pct(e.estimate.estimated.longShare).padStart(10)}  ${pct(e.observed.longShare).padStart(10)}  ${prof}`,
        );
      }
      out.line('');
      out.line(`Within 2×: ${report.score.within2x} of ${report.score.events} (${report.score.within2xOutOfSample} out of sample). Target: ${report.score.target} — ${report.score.met ? 'met' : 'NOT met'}.`);
      out.line('');
      out.line('Observed figures and their sources:');
      for (const e of report.events) out.line(`  ${e.id}: ${usd(e.observed.btcNotional)} — ${e.observed.btcRule}. Source: ${e.observed.source}`);
      out.line(`Scaling: ${report.scaling}`);
      const robust = await api.call('validation.robustness', {});
      out.line('');
      out.line(`Other calibration splits: fitted on ${robust.reverse.inSample.join(', ')}, within 2× for ${robust.reverse.within2x} of ${robust.events} (${robust.reverse.within2xOutOfSample} out of sample); leave-one-out, ${robust.leaveOneOutWithin2x} of ${robust.events} held-out events within 2×:`);
      for (const s of robust.leaveOneOut) {
        const held = s.ratios.find((x) => x.sample === 'out');
        if (held) out.line(`  ${held.id} held out: ratio ${held.ratio.toFixed(2)}${held.within2x ? '' : ' (miss)'}; fit: ${describePopulation(s.parameters)}`);
      }
      out.line('');
      out.line(`Lending check (${lending.source}):`);
      for (const f of lending.findings) out.line(`  - ${f}`);
      const assumptions = await printAssumptions(api, out);
      out.result({ report, robustness: robust, lending, assumptions });
    },
  },
  design: {
    summary: 'every crash window under alternative liquidation mechanisms: amplification, liquidations, bad debt, fund drawdown, ADL, halts',
    usage: 'design [--liquidity calibrated|resting]',
    options: { liquidity: { type: 'string' } },
    async run(api, { values }, out) {
      const liquidity = (values.liquidity as string | undefined) ?? 'calibrated';
      if (liquidity !== 'calibrated' && liquidity !== 'resting') throw new ApiError('invalid_input', `--liquidity ${liquidity}: expected calibrated or resting`, { field: 'liquidity' });
      const job = `design-${process.pid}`;
      const stop = onProgress(api, out, job);
      const matrix = await api.call('design.run', { job, liquidity });
      stop();
      out.line(`Design lab (engine ${matrix.engineVersion}; stored run #${matrix.runId}); population: ${describePopulation(matrix.parameters)}`);
      out.line(`Liquidity: ${describeLiquidity(matrix)}`);
      for (const ev of matrix.events) {
        out.line('');
        out.line(`${ev.id} ${ev.title}: open interest ${usd(ev.openInterest.usd)}${ev.openInterest.imputed ? ' (imputed)' : ''}, depth ${usd(ev.depthUsd)} per 1%`);
        out.line(`  ${deimpactLine(ev.exogenousPath)}`);
        out.line('  mechanism                                  amplif.  liquidated   bad debt  fund draw   ADL        halts');
        for (const m of matrix.mechanisms) {
          const c = matrix.cells.find((x) => x.eventId === ev.id && x.mechanismId === m.id);
          if (!c) continue;
          out.line(`  ${m.label.padEnd(42)} ${c.amplification.toFixed(3).padStart(7)}  ${usd(c.liquidatedNotional).padStart(10)} ${usd(c.badDebt).padStart(10)} ${usd(c.insuranceFundDrawdown).padStart(10)} ${usd(c.adlVolume).padStart(10)}  ${c.halts}`);
        }
      }
      const assumptions = await printAssumptions(api, out);
      out.result({ matrix, assumptions });
    },
  },
};
