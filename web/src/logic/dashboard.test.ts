// The dashboard's chart data: outcome shares that add up, bars scaled to the largest, signs on changes.
import { describe, expect, it } from "vitest";
import { outcomeBars, prescribedBars, signed } from "./dashboard";

describe("dashboard bars", () => {
  it("shows each plan outcome as its share of all plans, and empty bars with no plan", () => {
    const bars = outcomeBars({ active: 2, completed: 1, expired: 1, cancelled: 0 }, (k) => k.toUpperCase());
    expect(bars.map((b) => [b.label, b.value, b.percent])).toEqual([["ACTIVE", 2, 50], ["COMPLETED", 1, 25], ["EXPIRED", 1, 25], ["CANCELLED", 0, 0]]);
    expect(outcomeBars({ active: 0, completed: 0, expired: 0, cancelled: 0 }, String).every((b) => b.percent === 0)).toBe(true);
  });

  it("scales exercise bars to the most prescribed one", () => {
    const bars = prescribedBars([
      { exerciseId: "a", name: "Squat", plansPrescribed: 4, completionPercent: 90 },
      { exerciseId: "b", name: "Bridge", plansPrescribed: 1, completionPercent: null },
    ]);
    expect(bars.map((b) => b.percent)).toEqual([100, 25]);
    expect(prescribedBars([])).toEqual([]);
  });

  it("signs changes and leaves missing ones missing", () => {
    expect([signed(1.25), signed(-0.5), signed(0), signed(null)]).toEqual(["+1.3", "-0.5", "0", null]);
  });
});
