// What the time entry form sends, and what it refuses to send.
import { describe, expect, it } from "vitest";
import { parseTimeEntry } from "./timeEntry";

const base = { minutes: "20", activityType: "patient_communication", interactive: true, occurredOn: "2026-11-30", note: "" };

describe("time entry form", () => {
  it("sends whole minutes, the day and the interactive flag, and a note only when written", () => {
    expect(parseTimeEntry(base)).toEqual({ minutes: 20, activityType: "patient_communication", interactive: true, occurredOn: "2026-11-30" });
    expect(parseTimeEntry({ ...base, note: "  called about knee pain " })?.note).toBe("called about knee pain");
  });

  it("refuses minutes outside 1..1440, fractions, text and a missing day", () => {
    for (const minutes of ["0", "1441", "2.5", "ten", "", "-5"]) expect(parseTimeEntry({ ...base, minutes }), minutes).toBeNull();
    expect(parseTimeEntry({ ...base, occurredOn: "" })).toBeNull();
    expect(parseTimeEntry({ ...base, minutes: "1440" })?.minutes).toBe(1440);
  });
});
