// What the plan editor sends, how it lays the API's field errors on its inputs, and how it summarises a plan.
import { describe, expect, it } from "vitest";
import { translator } from "../i18n";
import { catalogueMatches, createBody, doseLabel, draftFromPlan, fieldKey, lastDay, messagesByField, move, updateBody, type PlanDraft } from "./planForm";

const SQUAT = "5b0f6f0e-2c47-4d7a-9a51-3f7a2b8e4c11";
const WALL_SIT = "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const draft: PlanDraft = {
  title: "Knee strength",
  startDate: "2026-12-07",
  durationWeeks: "4",
  frequencyPerWeek: " 3 ",
  exercises: [
    { exerciseId: SQUAT, name: "Squat", sets: "3", reps: "12", holdSeconds: "" },
    { exerciseId: WALL_SIT, name: "Wall sit", sets: "2", reps: "1", holdSeconds: "45" },
  ],
};

describe("plan editor bodies", () => {
  it("sends whole numbers, and a hold only where one is typed", () => {
    expect(createBody("p-1", draft)).toEqual({
      body: {
        patientId: "p-1", title: "Knee strength", startDate: "2026-12-07", durationWeeks: 4, frequencyPerWeek: 3,
        exercises: [{ exerciseId: SQUAT, sets: 3, reps: 12 }, { exerciseId: WALL_SIT, sets: 2, reps: 1, holdSeconds: 45 }],
      },
      notWhole: [],
    });
    expect(updateBody(draft).body).toEqual({ title: "Knee strength", exercises: createBody("p-1", draft).body?.exercises });
  });

  it("names every input that is not a whole number and sends nothing", () => {
    const typo = { ...draft, durationWeeks: "six", exercises: [{ ...draft.exercises[0], reps: "1.5" }, { ...draft.exercises[1], holdSeconds: "45s" }] };
    expect(createBody("p-1", typo)).toEqual({ body: null, notWhole: ["durationWeeks", "exercises.0.reps", "exercises.1.holdSeconds"] });
    expect(updateBody(typo).notWhole).toEqual(["exercises.0.reps", "exercises.1.holdSeconds"]);
  });

  it("leaves ranges to the API: an out-of-range number is sent for the API to name", () => {
    expect(createBody("p-1", { ...draft, frequencyPerWeek: "99" }).body?.frequencyPerWeek).toBe(99);
  });
});

describe("the API's field errors", () => {
  it("keys a service's exercises[0].sets and the schema's exercises.0.sets alike", () => {
    expect(fieldKey("exercises[0].sets")).toBe("exercises.0.sets");
    expect(fieldKey("exercises.12.holdSeconds")).toBe("exercises.12.holdSeconds");
    expect(
      messagesByField([
        { field: "exercises[1].exerciseId", message: "is not in this clinic's catalogue" },
        { field: "title", message: "must be 1 to 200 characters" },
        { field: "exercises.1.exerciseId", message: "Input should be a valid UUID" },
      ]),
    ).toEqual({
      "exercises.1.exerciseId": ["is not in this clinic's catalogue", "Input should be a valid UUID"],
      title: ["must be 1 to 200 characters"],
    });
  });
});

describe("plan summaries", () => {
  it("ends on start + 7 x weeks - 1, across months and years", () => {
    expect(lastDay("2026-12-07", "4")).toBe("2027-01-03");
    expect(lastDay("2026-02-02", "1")).toBe("2026-02-08");
    expect(lastDay("2026-02-02", "")).toBeNull();
    expect(lastDay("", "4")).toBeNull();
  });

  it("says the dose in the page's language, with the hold when there is one", () => {
    expect(doseLabel(translator("en"), 3, 12)).toBe("3 × 12");
    expect(doseLabel(translator("en"), 2, 1, 45)).toBe("2 × 1, hold 45 s");
    expect(doseLabel(translator("ru"), 2, 1, 45)).toBe("2 × 1, удержание 45 с");
  });

  it("reads a plan back in its order, holds as typed", () => {
    const plan = {
      planId: "x", patientId: "p", therapistId: "t", title: "Knee", startDate: "2026-12-07", durationWeeks: 6, frequencyPerWeek: 3,
      status: "active" as const, sessionsPlanned: 18, sessionsCompleted: 0,
      exercises: [
        { exerciseId: WALL_SIT, name: "Wall sit", position: 2, sets: 2, reps: 1, holdSeconds: 45 },
        { exerciseId: SQUAT, name: "Squat", position: 1, sets: 3, reps: 10, holdSeconds: null },
      ],
    };
    const read = draftFromPlan(plan);
    expect(read.exercises.map((e) => [e.name, e.sets, e.reps, e.holdSeconds])).toEqual([["Squat", "3", "10", ""], ["Wall sit", "2", "1", "45"]]);
    expect(read.durationWeeks).toBe("6");
  });

  it("finds catalogue exercises by any part of the name, not those already chosen, and reorders", () => {
    const catalogue = [
      { exerciseId: SQUAT, name: "Squat", videoUrl: null, videoDurationSeconds: null, poseProfile: null },
      { exerciseId: WALL_SIT, name: "Wall sit", videoUrl: null, videoDurationSeconds: null, poseProfile: null },
      { exerciseId: "b", name: "Split squat", videoUrl: null, videoDurationSeconds: null, poseProfile: null },
    ];
    expect(catalogueMatches(catalogue, "SQU", []).map((e) => e.name)).toEqual(["Squat", "Split squat"]);
    expect(catalogueMatches(catalogue, " ", [draft.exercises[0]]).map((e) => e.name)).toEqual(["Wall sit", "Split squat"]);
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
  });
});
