/**
 * Display preferences: the theme (system, dark or light) and the time zone of displayed times
 * (UTC or local). One owner: the top-bar control and the View menu (Electron) both call the
 * setters here. Persisted in localStorage (browser mode and Electron alike; a corrupt or
 * foreign value falls back to the default). The resolved theme is written to
 * `<html data-theme>`, which app.css keys its colours on; "system" follows
 * `prefers-color-scheme` live.
 *
 * Times: data stay in UTC seconds; only formatting changes (DESIGN.md §5). `formatTime` is the
 * formatter for views that honour the preference.
 */
import type { ThemePreference, TimeZonePreference } from '../../../../shared/bridge';

export const PREFERENCES_KEY = 'undertow.preferences';
const THEMES: readonly ThemePreference[] = ['system', 'dark', 'light'];
const TIME_ZONES: readonly TimeZonePreference[] = ['utc', 'local'];

export interface Preferences {
  theme: ThemePreference;
  timeZone: TimeZonePreference;
}

export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', timeZone: 'utc' };

/** Stored preferences if well-formed, field by field; defaults for the rest. */
export function parsePreferences(text: string | null): Preferences {
  let value: unknown;
  try {
    value = text === null ? null : JSON.parse(text);
  } catch {
    value = null;
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    theme: THEMES.includes(v.theme as ThemePreference) ? (v.theme as ThemePreference) : DEFAULT_PREFERENCES.theme,
    timeZone: TIME_ZONES.includes(v.timeZone as TimeZonePreference) ? (v.timeZone as TimeZonePreference) : DEFAULT_PREFERENCES.timeZone,
  };
}

/** The theme to draw: the preference, or the system's when it is "system". */
export function resolveTheme(theme: ThemePreference, systemPrefersLight: boolean): 'dark' | 'light' {
  if (theme === 'system') return systemPrefersLight ? 'light' : 'dark';
  return theme;
}

/** `YYYY-MM-DD HH:MM` of UTC seconds, in UTC or in the machine's local time. */
export function formatTime(seconds: number, timeZone: TimeZonePreference): string {
  const date = new Date(seconds * 1000);
  if (timeZone === 'utc') return date.toISOString().slice(0, 16).replace('T', ' ');
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function readStored(): Preferences {
  try {
    return parsePreferences(globalThis.localStorage?.getItem(PREFERENCES_KEY) ?? null);
  } catch {
    // Storage disabled: defaults, not an error.
    return { ...DEFAULT_PREFERENCES };
  }
}

const LIGHT_QUERY = '(prefers-color-scheme: light)';

class PreferencesState {
  #prefs = $state<Preferences>(readStored());
  #systemLight = $state(typeof matchMedia === 'function' ? matchMedia(LIGHT_QUERY).matches : false);

  get theme(): ThemePreference {
    return this.#prefs.theme;
  }

  get timeZone(): TimeZonePreference {
    return this.#prefs.timeZone;
  }

  /** The theme actually drawn. */
  get resolvedTheme(): 'dark' | 'light' {
    return resolveTheme(this.#prefs.theme, this.#systemLight);
  }

  setTheme(theme: ThemePreference): void {
    if (!THEMES.includes(theme)) return;
    this.#prefs.theme = theme;
    this.#save();
    this.apply();
  }

  setTimeZone(timeZone: TimeZonePreference): void {
    if (!TIME_ZONES.includes(timeZone)) return;
    this.#prefs.timeZone = timeZone;
    this.#save();
  }

  /** Formats UTC seconds in the preferred time zone. */
  formatTime(seconds: number): string {
    return formatTime(seconds, this.#prefs.timeZone);
  }

  /** Writes the resolved theme to `<html data-theme>`. */
  apply(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.dataset.theme = this.resolvedTheme;
  }

  /** Applies the theme now and follows the system's scheme; returns the function that stops following. */
  start(): () => void {
    this.apply();
    if (typeof matchMedia !== 'function') return () => {};
    const query = matchMedia(LIGHT_QUERY);
    const onChange = (event: MediaQueryListEvent): void => {
      this.#systemLight = event.matches;
      this.apply();
    };
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }

  #save(): void {
    try {
      globalThis.localStorage?.setItem(PREFERENCES_KEY, JSON.stringify(this.#prefs));
    } catch {
      /* storage full or disabled: the choice holds for this session */
    }
  }
}

export const preferences = new PreferencesState();

/** "2020-03-12 10:48 UTC", or "2020-03-12 11:48 local": a time as tables and labels show it. */
export function formatMinute(seconds: number): string {
  return `${formatTime(seconds, preferences.timeZone)} ${preferences.timeZone === 'utc' ? 'UTC' : 'local'}`;
}
