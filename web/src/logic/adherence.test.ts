// The weekly adherence bars' data.
import { describe, expect, it } from "vitest";
import { adherenceBars } from "./adherence";

describe("adherenceBars", () => {
  it("keeps weeks with sessions expected, in week order, capped at a full bar", () => {
    const bars = adherenceBars([
      { weekNumber: 2, start: "b", end: "b", completed: 1, expected: 3, adherencePercent: 33.3 },
      { weekNumber: 3, start: "c", end: "c", completed: 0, expected: 0, adherencePercent: null },
      { weekNumber: 1, start: "a", end: "a", completed: 4, expected: 3, adherencePercent: 100 },
    ]);
    expect(bars).toEqual([
      { weekNumber: 1, completed: 4, expected: 3, percent: 100 },
      { weekNumber: 2, completed: 1, expected: 3, percent: 33 },
    ]);
  });
});
