// The worklist sends only the filters set, its CSV link carries the same ones, and only ready records are selectable.
import { describe, expect, it } from "vitest";
import { NO_FILTERS, csvHref, selectable, worklistQuery } from "./worklist";

describe("billing worklist", () => {
  it("sends the filters set and the page cursor, nothing else", () => {
    expect(worklistQuery(NO_FILTERS, null)).toEqual({ limit: 50 });
    expect(worklistQuery({ status: "ready", code: "98977", periodFrom: "2026-11-01", periodTo: "" }, "abc")).toEqual({
      status: "ready", code: "98977", periodFrom: "2026-11-01", limit: 50, cursor: "abc",
    });
  });

  it("links the CSV of the same filters, without paging", () => {
    expect(csvHref(NO_FILTERS)).toBe("/v1/billing/records.csv");
    expect(csvHref({ ...NO_FILTERS, status: "billed", periodTo: "2026-11-30" })).toBe("/v1/billing/records.csv?status=billed&periodTo=2026-11-30");
  });

  it("lets only ready records be marked billed", () => {
    expect(selectable([{ recordId: "a", status: "ready" }, { recordId: "b", status: "projected" }, { recordId: "c", status: "billed" }])).toEqual(["a"]);
  });
});
