// The streak card's dots and rest-day counter, from weekCalendar as the API sends it.
import { describe, expect, it } from "vitest";
import type { CalendarDay } from "../api/client";
import { DOT_COLOURS, restDaysLeft, weekDots, weeklyMinutesPercent } from "./streak";

// The week of Monday 2026-03-02 as the API lists it (Monday first), one day of each status.
const WEEK: CalendarDay[] = [
  { date: "2026-03-02", dayOfWeek: 1, status: "inactive" },
  { date: "2026-03-03", dayOfWeek: 2, status: "done" },
  { date: "2026-03-04", dayOfWeek: 3, status: "rest" },
  { date: "2026-03-05", dayOfWeek: 4, status: "missed" },
  { date: "2026-03-06", dayOfWeek: 5, status: "today" },
  { date: "2026-03-07", dayOfWeek: 6, status: "future" },
  { date: "2026-03-08", dayOfWeek: 0, status: "future" },
];

describe("weekDots", () => {
  it("colours each day as the reference dashboards do", () => {
    const colours = Object.fromEntries(weekDots(WEEK).map((dot) => [dot.status, dot.colours.background]));
    expect(colours).toEqual({
      inactive: "#E5E7EB",
      done: "#10B981",
      rest: "#DBEAFE",
      missed: "#FEE2E2",
      today: "#F59E0B",
      future: "#E5E7EB",
    });
    expect(DOT_COLOURS.rest.fill).toBe("#93C5FD");
    expect(DOT_COLOURS.missed.fill).toBe("#FCA5A5");
  });

  it("orders Monday to Sunday whatever order the days arrive in", () => {
    const shuffled = [WEEK[6], WEEK[3], WEEK[0], WEEK[5], WEEK[1], WEEK[4], WEEK[2]];
    expect(weekDots(shuffled).map((dot) => dot.dayOfWeek)).toEqual([1, 2, 3, 4, 5, 6, 0]);
    expect(weekDots(shuffled).map((dot) => dot.dayOfMonth)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("restDaysLeft", () => {
  it("shows the API's remaining and total, not a hard-coded 3", () => {
    expect(restDaysLeft({ weeklyDaysOffRemaining: 2, daysOffPerWeek: 3 })).toEqual({ left: 2, total: 3 });
    expect(restDaysLeft({ weeklyDaysOffRemaining: 1, daysOffPerWeek: 2 })).toEqual({ left: 1, total: 2 });
  });

  it("never shows a negative count or more than the total", () => {
    expect(restDaysLeft({ weeklyDaysOffRemaining: -1, daysOffPerWeek: 3 })).toEqual({ left: 0, total: 3 });
    expect(restDaysLeft({ weeklyDaysOffRemaining: 5, daysOffPerWeek: 3 })).toEqual({ left: 3, total: 3 });
  });
});

describe("weeklyMinutesPercent", () => {
  it("fills the 45-minute bar and stops at full", () => {
    expect(weeklyMinutesPercent(0)).toBe(0);
    expect(weeklyMinutesPercent(30)).toBe(67);
    expect(weeklyMinutesPercent(90)).toBe(100);
  });
});
