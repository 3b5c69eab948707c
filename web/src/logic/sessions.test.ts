// The therapist's session list, and what completing a workout sends.
import { describe, expect, it } from "vitest";
import type { Workout } from "../api/client";
import { completionBody } from "./completion";
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

describe("completionBody", () => {
  const now = new Date("2026-03-06T10:30:00Z");

  it("sends the pain, difficulty, the prescribed sets and reps, and a start minutes before now", () => {
    const body = completionBody(workout({}), { painBefore: "6", painAfter: "3", difficulty: "5", minutes: "25" }, now);
    expect(body).toEqual({
      timeWorkoutStart: "2026-03-06T10:05:00.000Z",
      timeWorkoutEnd: "2026-03-06T10:30:00.000Z",
      painBefore: 6,
      painAfter: 3,
      perceivedDifficulty: 5,
      exercises: [{ exerciseId: "e1", actualSets: 3, actualReps: 10, skipped: false }],
    });
  });

  it("refuses out-of-range or non-numeric answers, so nothing is sent", () => {
    const form = { painBefore: "6", painAfter: "3", difficulty: "5", minutes: "25" };
    expect(completionBody(workout({}), { ...form, painBefore: "11" }, now)).toBeNull();
    expect(completionBody(workout({}), { ...form, difficulty: "0" }, now)).toBeNull();
    expect(completionBody(workout({}), { ...form, painAfter: "2.5" }, now)).toBeNull();
    expect(completionBody(workout({}), { ...form, minutes: "" }, now)).toBeNull();
  });
});
