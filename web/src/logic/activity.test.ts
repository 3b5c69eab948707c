// The daily-activity heatmap: the range asked for, whole weeks, every day a cell, levels from the API's figures.
import { describe, expect, it } from "vitest";
import { activeDays, activityLevel, activityRange, heatmapWeeks, type ActivityDay } from "./activity";

function day(date: string, figures: Partial<ActivityDay> = {}): ActivityDay {
  return {
    date, timezone: "Europe/Madrid", firstAppOpenedAt: null, lastAppOpenedAt: null, lastAppClosedAt: null,
    appOpensCount: 0, appClosesCount: 0, workoutsCompleted: 0, exercisesCompleted: 0, xpEarned: 0,
    isStreakDay: false, dailyXpGoal: 10, dailyExercisesGoal: 1, metGoal: false, ...figures,
  };
}

describe("activityRange", () => {
  it("starts on the Monday weeks - 1 weeks before today's week and ends today", () => {
    // 2026-12-02 is a Wednesday; its Monday is 2026-11-30.
    expect(activityRange("2026-12-02", 12)).toEqual({ from: "2026-09-14", to: "2026-12-02" });
    expect(activityRange("2026-11-30", 1)).toEqual({ from: "2026-11-30", to: "2026-11-30" });
    // A Sunday belongs to the week of the Monday before it.
    expect(activityRange("2026-12-06", 1)).toEqual({ from: "2026-11-30", to: "2026-12-06" });
  });
});

describe("activityLevel", () => {
  it("ranks a streak day over a workout over an app open over nothing", () => {
    expect(activityLevel(undefined)).toBe(0);
    expect(activityLevel(day("2026-12-01"))).toBe(0);
    expect(activityLevel(day("2026-12-01", { appOpensCount: 2 }))).toBe(1);
    expect(activityLevel(day("2026-12-01", { appOpensCount: 1, workoutsCompleted: 1 }))).toBe(2);
    expect(activityLevel(day("2026-12-01", { workoutsCompleted: 1, isStreakDay: true }))).toBe(3);
  });
});

describe("heatmapWeeks", () => {
  it("has a cell for every day, Monday first, and blanks after the range's end", () => {
    const weeks = heatmapWeeks([day("2026-12-01", { workoutsCompleted: 1, xpEarned: 10 })], "2026-11-23", "2026-12-02");
    expect(weeks).toHaveLength(2);
    expect(weeks.map((w) => w[0].date)).toEqual(["2026-11-23", "2026-11-30"]);
    expect(weeks.flat().filter((c) => c.inRange)).toHaveLength(10);
    const tuesday = weeks[1][1];
    expect(tuesday).toMatchObject({ date: "2026-12-01", inRange: true, level: 2, workouts: 1, xp: 10 });
    expect(weeks[1].slice(3).every((c) => !c.inRange && c.level === 0)).toBe(true);
  });

  it("crosses a month and a year end without losing a day", () => {
    const weeks = heatmapWeeks([], "2026-12-28", "2027-01-10");
    const dates = weeks.flat().map((c) => c.date);
    expect(dates).toHaveLength(14);
    expect(dates.slice(3, 6)).toEqual(["2026-12-31", "2027-01-01", "2027-01-02"]);
  });

  it("ignores days the answer has outside the range", () => {
    const weeks = heatmapWeeks([day("2026-12-06", { isStreakDay: true })], "2026-11-30", "2026-12-02");
    expect(activeDays(weeks)).toEqual({ active: 0, total: 3 });
  });

  it("counts the active days of the range", () => {
    const days = [day("2026-11-30", { appOpensCount: 1 }), day("2026-12-01"), day("2026-12-02", { isStreakDay: true })];
    expect(activeDays(heatmapWeeks(days, "2026-11-30", "2026-12-02"))).toEqual({ active: 2, total: 3 });
  });
});
