// The therapist's session list: done and skipped sessions newest first.
import { describe, expect, it } from "vitest";
import type { Workout } from "../api/client";
import { sessionRows } from "./sessions";

function workout(overrides: Partial<Workout>): Workout {
  return {
    workoutId: "w", planId: "p1", patientId: "x", sessionNumber: 1, scheduledDate: "2026-03-01", status: "completed",
    source: "real", timeWorkoutStart: null, timeWorkoutEnd: null, completedAt: null, localDate: "2026-03-01",
    timezone: "UTC", painBefore: 5, painAfter: 3, perceivedDifficulty: 4, durationMinutes: 20, exercisesCompleted: 1,
    exercisesTotal: 1, completedViaAppEntrance: false, mirroredFromWorkoutId: null, skipReason: null,
    exercises: [{ exerciseId: "e1", name: "Bridge", prescribedSets: 3, prescribedReps: 10, actualSets: null, actualReps: null, skipped: false, videoWatchPercentage: null, poseAccuracyScore: null }],
    ...overrides,
  };
}

describe("sessionRows", () => {
  it("lists done and skipped sessions newest first, mirror ones included, scheduled ones not", () => {
    const rows = sessionRows([
      workout({ workoutId: "old", localDate: "2026-03-01" }),
      workout({ workoutId: "future", status: "scheduled", localDate: null, scheduledDate: "2026-03-09" }),
      workout({ workoutId: "mirror", source: "inferred", sessionNumber: 0, localDate: "2026-03-04", completedViaAppEntrance: true }),
      workout({ workoutId: "skipped", status: "skipped", localDate: null, scheduledDate: "2026-03-02" }),
    ]);
    expect(rows.map((w) => w.workoutId)).toEqual(["mirror", "skipped", "old"]);
  });
});
