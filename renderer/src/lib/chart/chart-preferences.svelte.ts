/**
 * What every chart shares: the base options (autosize, attribution, crosshair, grid), its
 * colours for the resolved theme, and times in the preferred zone (data stay UTC seconds; only
 * the axis and crosshair labels change, as DESIGN.md §5 asks). `followPreferences` keeps a
 * chart in step when the user switches theme or time zone.
 */
import { ColorType, CrosshairMode, TickMarkType, type DeepPartial, type IChartApi, type ChartOptions, type Time } from 'lightweight-charts';
import type { TimeZonePreference } from '../../../../shared/bridge';
import { formatTime, preferences } from '../state/preferences.svelte';

export const THEME_COLORS = {
  dark: { background: '#0f1419', text: '#c5ccd6', grid: '#1d2530' },
  light: { background: '#ffffff', text: '#18202b', grid: '#e3e8ef' },
} as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Time-axis tick labels in the given zone (lightweight-charts' own labels are UTC only). */
export function tickMark(time: Time, type: TickMarkType, zone: TimeZonePreference): string {
  const d = new Date((time as number) * 1000);
  const utc = zone === 'utc';
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hours = utc ? d.getUTCHours() : d.getHours();
  const minutes = utc ? d.getUTCMinutes() : d.getMinutes();
  switch (type) {
    case TickMarkType.Year:
      return String(utc ? d.getUTCFullYear() : d.getFullYear());
    case TickMarkType.Month:
      return MONTHS[utc ? d.getUTCMonth() : d.getMonth()]!;
    case TickMarkType.DayOfMonth:
      return String(utc ? d.getUTCDate() : d.getDate());
    case TickMarkType.TimeWithSeconds:
      return `${pad(hours)}:${pad(minutes)}:${pad(utc ? d.getUTCSeconds() : d.getSeconds())}`;
    default:
      return `${pad(hours)}:${pad(minutes)}`;
  }
}

/** The options that follow the preferences: colours and time labels. */
export function preferenceOptions(theme: 'dark' | 'light', zone: TimeZonePreference): DeepPartial<ChartOptions> {
  const c = THEME_COLORS[theme];
  return {
    layout: { background: { type: ColorType.Solid, color: c.background }, textColor: c.text, panes: { separatorColor: c.grid } },
    grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    timeScale: { borderColor: c.grid, tickMarkFormatter: (time: Time, type: TickMarkType) => tickMark(time, type, zone) },
    rightPriceScale: { borderColor: c.grid },
    localization: { timeFormatter: (time: Time) => `${formatTime(time as number, zone)}${zone === 'utc' ? ' UTC' : ''}` },
  };
}

/** Base options of every Undertow chart, in the current preferences. */
export function baseChartOptions(): DeepPartial<ChartOptions> {
  const prefs = preferenceOptions(preferences.resolvedTheme, preferences.timeZone);
  return {
    ...prefs,
    autoSize: true,
    // The licence of lightweight-charts asks for the attribution; its logo stays on.
    layout: { ...prefs.layout, attributionLogo: true },
    crosshair: { mode: CrosshairMode.Normal },
    // A low minimum bar spacing lets fitContent show a whole multi-day 1m window at once.
    timeScale: { ...prefs.timeScale, timeVisible: true, secondsVisible: false, minBarSpacing: 0.01 },
  };
}

/** Re-applies colours and time labels whenever the theme or time zone changes; returns the stop function. */
export function followPreferences(chart: IChartApi): () => void {
  return $effect.root(() => {
    $effect(() => {
      chart.applyOptions(preferenceOptions(preferences.resolvedTheme, preferences.timeZone));
    });
  });
}
