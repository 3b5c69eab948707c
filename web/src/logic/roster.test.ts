import { describe, expect, it } from "vitest";
import { formatPercent, rosterQuery } from "./roster";

describe("roster query", () => {
  it("sends only what narrows the page", () => {
    expect(rosterQuery({ search: "", assignedToMe: false, hasAlerts: false }, null)).toEqual({ limit: 50 });
  });
  it("carries the search, the filters and the cursor of the page asked for", () => {
    expect(rosterQuery({ search: "ana", assignedToMe: true, hasAlerts: true }, "c2", 20)).toEqual({
      limit: 20,
      cursor: "c2",
      search: "ana",
      assignedToMe: true,
      hasAlerts: true,
    });
  });
});

describe("percentages", () => {
  it("rounds a figure and shows none for a missing one", () => {
    expect(formatPercent(66.6667, "—")).toBe("67%");
    expect(formatPercent(null, "—")).toBe("—");
    expect(formatPercent(0, "—")).toBe("0%");
  });
});
