// A tiny i18n: every visible string is a key of src/messages/ (English and Russian); statuses come from the API's codes.
import { createContext, useContext } from "react";
import { en, type MessageKey } from "./messages/en";
import { ru } from "./messages/ru";

export type { MessageKey };
export type Language = "en" | "ru";

export const MESSAGES: Record<Language, Record<MessageKey, string>> = { en, ru };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  const messages = MESSAGES[language];
  return (key, vars) =>
    messages[key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

/** A status code from the API, translated; an unknown code is shown as sent rather than hidden. */
export type StatusKind =
  | "workoutStatus" | "planStatus" | "board" | "dayStatus" | "policy" | "entranceStatus" | "trend" | "rtmStatus" | "alert"
  | "sessionStatus" | "incompleteReason" | "track" | "billingStatus" | "role";

export function statusLabel(t: Translate, prefix: StatusKind, code: string): string {
  const key = `${prefix}.${code}`;
  return key in en ? t(key as MessageKey) : code;
}

export function initialLanguage(stored: string | null, browser: string): Language {
  if (stored === "en" || stored === "ru") return stored;
  return browser.toLowerCase().startsWith("ru") ? "ru" : "en";
}

export interface I18n {
  t: Translate;
  language: Language;
  setLanguage: (language: Language) => void;
}

export const I18nContext = createContext<I18n>({ t: translator("en"), language: "en", setLanguage: () => undefined });

export function useI18n(): I18n {
  return useContext(I18nContext);
}
