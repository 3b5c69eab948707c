// Dates, durations and numbers as the screens show them, in the page's language.
import type { Language } from "../i18n";

const LOCALES: Record<Language, string> = { en: "en-GB", ru: "ru-RU" };

export function dateTime(iso: string | null | undefined, language: Language): string | null {
  if (!iso) return null;
  const when = new Date(iso);
  return Number.isNaN(when.getTime()) ? iso : when.toLocaleString(LOCALES[language], { dateStyle: "medium", timeStyle: "short" });
}

/** Milliseconds as seconds with one decimal ("1.5"): phase times and durations. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** A figure that may be missing: one decimal, or null for the caller's "—". */
export function oneDecimal(value: number | null | undefined): string | null {
  return value === null || value === undefined ? null : (Math.round(value * 10) / 10).toFixed(1);
}

/** Today in the patient's zone as YYYY-MM-DD (the time entry form's default day). */
export function localToday(timezone: string, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}
