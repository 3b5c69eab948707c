// The streak card's view logic: the API's weekCalendar as Monday-to-Sunday dots in the reference colours.
import type { CalendarDay, Streak } from "../api/client";

export type DayStatus = CalendarDay["status"];

export interface DotStyle {
  background: string;
  fill: string;
}

// The reference dashboards' palette (shared/reference/streaks.txt, "Day Dot Color Scheme").
export const DOT_COLOURS: Record<DayStatus, DotStyle> = {
  done: { background: "#10B981", fill: "#10B981" },
  today: { background: "#F59E0B", fill: "#F59E0B" },
  rest: { background: "#DBEAFE", fill: "#93C5FD" },
  missed: { background: "#FEE2E2", fill: "#FCA5A5" },
  inactive: { background: "#E5E7EB", fill: "#E5E7EB" },
  future: { background: "#E5E7EB", fill: "#E5E7EB" },
};

// 0 = Sunday … 6 = Saturday, as the API numbers days.
const MONDAY_FIRST = [1, 2, 3, 4, 5, 6, 0];

export interface Dot {
  date: string;
  dayOfWeek: number;
  dayOfMonth: number;
  status: DayStatus;
  colours: DotStyle;
}

/** The week's seven dots in Monday-to-Sunday order, whatever order the calendar came in. */
export function weekDots(calendar: readonly CalendarDay[]): Dot[] {
  const byDay = new Map(calendar.map((day) => [day.dayOfWeek, day]));
  const dots: Dot[] = [];
  for (const dayOfWeek of MONDAY_FIRST) {
    const day = byDay.get(dayOfWeek);
    if (day === undefined) continue;
    dots.push({
      date: day.date,
      dayOfWeek,
      dayOfMonth: Number(day.date.slice(8, 10)),
      status: day.status,
      colours: DOT_COLOURS[day.status],
    });
  }
  return dots;
}

/** "n/3 rest days left": both numbers from the API, never hard-coded; never below zero. */
export function restDaysLeft(streak: Pick<Streak, "weeklyDaysOffRemaining" | "daysOffPerWeek">): {
  left: number;
  total: number;
} {
  return { left: Math.max(0, Math.min(streak.weeklyDaysOffRemaining, streak.daysOffPerWeek)), total: streak.daysOffPerWeek };
}

/** Weekly minutes toward the 45-minute target, as a 0–100 bar. */
export function weeklyMinutesPercent(minutes: number, target = 45): number {
  return Math.max(0, Math.min(100, Math.round((minutes / target) * 100)));
}
