// The completion form: what the patient typed, per exercise too, checked and turned into the complete-workout body.
import { describe, expect, it } from "vitest";
import type { Workout } from "../api/client";
import { completionBody, initialForm } from "./completion";

const WORKOUT = {
  workoutId: "00000000-0000-4000-8000-0000000000aa",
  exercises: [
    { exerciseId: "00000000-0000-4000-8000-000000000001", name: "Wall sit", prescribedSets: 2, prescribedReps: 8 },
    { exerciseId: "00000000-0000-4000-8000-000000000002", name: "Bridge", prescribedSets: 3, prescribedReps: 12 },
  ],
} as unknown as Workout;
const NOW = new Date("2026-12-01T10:00:00Z");

function filled(): ReturnType<typeof initialForm> {
  return { ...initialForm(WORKOUT), painBefore: "6", painAfter: "3", difficulty: "5" };
}

describe("completionBody", () => {
  it("opens with each exercise as prescribed and sends what the patient changed", () => {
    const form = filled();
    expect(form.exercises["00000000-0000-4000-8000-000000000002"]).toEqual({ sets: "3", reps: "12" });
    form.exercises["00000000-0000-4000-8000-000000000002"] = { sets: "2", reps: "10" };
    const body = completionBody(WORKOUT, form, NOW);
    expect(body?.exercises).toEqual([
      { exerciseId: "00000000-0000-4000-8000-000000000001", actualSets: 2, actualReps: 8, skipped: false },
      { exerciseId: "00000000-0000-4000-8000-000000000002", actualSets: 2, actualReps: 10, skipped: false },
    ]);
    expect([body?.painBefore, body?.painAfter, body?.perceivedDifficulty]).toEqual([6, 3, 5]);
    expect(body?.timeWorkoutStart).toBe("2026-12-01T09:40:00.000Z");
    expect(body?.timeWorkoutEnd).toBe("2026-12-01T10:00:00.000Z");
  });

  it("reports an exercise with no sets done as skipped", () => {
    const form = filled();
    form.exercises["00000000-0000-4000-8000-000000000001"] = { sets: "0", reps: "8" };
    expect(completionBody(WORKOUT, form, NOW)?.exercises).toContainEqual({
      exerciseId: "00000000-0000-4000-8000-000000000001", actualSets: 0, actualReps: 8, skipped: true,
    });
  });

  it("sends nothing when a figure is out of range or not a whole number", () => {
    for (const change of [
      { painBefore: "11" }, { painAfter: "-1" }, { difficulty: "0" }, { minutes: "241" }, { painBefore: "2.5" }, { painBefore: "" },
    ]) {
      expect(completionBody(WORKOUT, { ...filled(), ...change }, NOW)).toBeNull();
    }
    for (const done of [{ sets: "101", reps: "8" }, { sets: "2", reps: "1001" }, { sets: "two", reps: "8" }]) {
      const form = filled();
      form.exercises["00000000-0000-4000-8000-000000000001"] = done;
      expect(completionBody(WORKOUT, form, NOW)).toBeNull();
    }
  });
});
