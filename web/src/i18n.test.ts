// Every key exists in both languages (the type says so; this checks none is left blank), and statuses translate.
import { describe, expect, it } from "vitest";
import { MESSAGES, initialLanguage, statusLabel, translator } from "./i18n";

describe("i18n", () => {
  it("has a non-empty Russian string for every English key", () => {
    for (const [key, text] of Object.entries(MESSAGES.en)) {
      expect(MESSAGES.ru[key as keyof typeof MESSAGES.en], key).toBeTruthy();
      expect(text).toBeTruthy();
    }
  });

  it("fills placeholders and translates the API's status codes", () => {
    const ru = translator("ru");
    expect(ru("streak.restDaysLeft", { left: 2, total: 3 })).toBe("Осталось дней отдыха: 2/3");
    expect(statusLabel(translator("en"), "board", "needs_engagement")).toBe("Needs engagement");
    expect(statusLabel(ru, "workoutStatus", "completed")).toBe("Выполнена");
    expect(statusLabel(ru, "workoutStatus", "brand_new_status")).toBe("brand_new_status");
  });

  it("starts in the stored language, else the browser's", () => {
    expect(initialLanguage("ru", "en-US")).toBe("ru");
    expect(initialLanguage(null, "ru-RU")).toBe("ru");
    expect(initialLanguage("xx", "de-DE")).toBe("en");
  });
});
