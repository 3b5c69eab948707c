// The patient's daily activity as a heatmap: the date range asked for, whole Monday-to-Sunday weeks, every day a cell.
import type { Schemas } from "../api/client";

export type ActivityDay = Schemas["DailyActivityReply"];

/** 0 nothing, 1 the app was opened, 2 a workout was completed, 3 a streak day (the daily XP goal was met). */
export type ActivityLevel = 0 | 1 | 2 | 3;

export interface ActivityCell {
  date: string;
  /** false for the days of the last week after the range's end: drawn blank, never counted. */
  inRange: boolean;
  level: ActivityLevel;
  workouts: number;
  opens: number;
  xp: number;
}

const DAY_MS = 86_400_000;

function toDay(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}

function toIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Days since the Monday of its week (Monday 0 ... Sunday 6). */
function weekdayFromMonday(day: number): number {
  return (new Date(day * DAY_MS).getUTCDay() + 6) % 7;
}

/** The range the portal asks for: from the Monday `weeks - 1` weeks before today's week, to today. */
export function activityRange(today: string, weeks = 12): { from: string; to: string } {
  const end = toDay(today);
  const monday = end - weekdayFromMonday(end);
  return { from: toIso(monday - 7 * (weeks - 1)), to: today };
}

export function activityLevel(day: ActivityDay | undefined): ActivityLevel {
  if (day === undefined) return 0;
  if (day.isStreakDay) return 3;
  if (day.workoutsCompleted > 0) return 2;
  return day.appOpensCount > 0 || day.firstAppOpenedAt !== null ? 1 : 0;
}

/** Columns of seven cells, Monday first, from `from` to `to` inclusive; a day the answer lacks is an empty cell. */
export function heatmapWeeks(days: ActivityDay[], from: string, to: string): ActivityCell[][] {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const first = toDay(from) - weekdayFromMonday(toDay(from));
  const last = toDay(to);
  const weeks: ActivityCell[][] = [];
  for (let monday = first; monday <= last; monday += 7) {
    const week: ActivityCell[] = [];
    for (let offset = 0; offset < 7; offset++) {
      const day = monday + offset;
      const date = toIso(day);
      const inRange = day >= toDay(from) && day <= last;
      const found = inRange ? byDate.get(date) : undefined;
      week.push({
        date,
        inRange,
        level: activityLevel(found),
        workouts: found?.workoutsCompleted ?? 0,
        opens: found?.appOpensCount ?? 0,
        xp: found?.xpEarned ?? 0,
      });
    }
    weeks.push(week);
  }
  return weeks;
}

/** Days in the range with any activity, and the days in the range. */
export function activeDays(weeks: ActivityCell[][]): { active: number; total: number } {
  const cells = weeks.flat().filter((c) => c.inRange);
  return { active: cells.filter((c) => c.level > 0).length, total: cells.length };
}

/** The heatmap's colours, lightest to darkest green; level 0 is the reference "inactive" grey. */
export const LEVEL_COLOURS: Record<ActivityLevel, string> = { 0: "#E5E7EB", 1: "#A7F3D0", 2: "#10B981", 3: "#047857" };
