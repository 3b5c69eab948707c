// The pain chart's series: session order, gaps, mirror workouts left out, the average change.
import { describe, expect, it } from "vitest";
import type { Workout } from "../api/client";
import { averagePainChange, painFromWorkouts, painSeries } from "./pain";

describe("painSeries", () => {
  it("sorts by session and keeps a session with one value as a gap in the other line", () => {
    const series = painSeries([
      { sessionNumber: 3, localDate: "2026-03-05", painBefore: 4, painAfter: 2 },
      { sessionNumber: 1, localDate: "2026-03-01", painBefore: 6, painAfter: null },
      { sessionNumber: 2, localDate: "2026-03-03", painBefore: null, painAfter: null },
    ]);
    expect(series).toEqual({ sessions: [1, 3], before: [6, 4], after: [null, 2], labels: ["2026-03-01", "2026-03-05"] });
  });

  it("averages after minus before over the complete pairs", () => {
    const series = painSeries([
      { sessionNumber: 1, localDate: "a", painBefore: 6, painAfter: 3 },
      { sessionNumber: 2, localDate: "b", painBefore: 5, painAfter: 4 },
      { sessionNumber: 3, localDate: "c", painBefore: 5, painAfter: null },
    ]);
    expect(averagePainChange(series)).toBe(-2);
    expect(averagePainChange(painSeries([]))).toBeNull();
  });
});

function workout(overrides: Partial<Workout>): Workout {
  return {
    workoutId: "w", planId: "p", patientId: "x", sessionNumber: 1, scheduledDate: "2026-03-01", status: "completed",
    source: "real", timeWorkoutStart: null, timeWorkoutEnd: null, completedAt: null, localDate: "2026-03-01",
    timezone: "UTC", painBefore: 5, painAfter: 3, perceivedDifficulty: 4, durationMinutes: 20, exercisesCompleted: 1,
    exercisesTotal: 1, completedViaAppEntrance: false, mirroredFromWorkoutId: null, skipReason: null, exercises: [],
    ...overrides,
  };
}

describe("painFromWorkouts", () => {
  it("charts completed real sessions only: a mirror workout repeats its source's pain", () => {
    const series = painFromWorkouts([
      workout({ workoutId: "a", sessionNumber: 2, painBefore: 4, painAfter: 1 }),
      workout({ workoutId: "m", sessionNumber: 0, source: "inferred", completedViaAppEntrance: true, mirroredFromWorkoutId: "a" }),
      workout({ workoutId: "s", sessionNumber: 3, status: "scheduled", painBefore: null, painAfter: null }),
      workout({ workoutId: "b", sessionNumber: 1, painBefore: 7, painAfter: 6 }),
    ]);
    expect(series.sessions).toEqual([1, 2]);
    expect(series.before).toEqual([7, 4]);
    expect(series.after).toEqual([6, 1]);
  });
});
