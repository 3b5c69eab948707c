// The users page groups the clinic's people by role: active first, then by name.
import { describe, expect, it } from "vitest";
import { usersByRole } from "./users";

const person = (userId: string, role: "patient" | "therapist" | "admin", displayName: string, active = true) => ({
  userId, role, displayName, timezone: null, active,
});

describe("users by role", () => {
  it("puts each person under their role, active before deactivated, then by name", () => {
    const grouped = usersByRole([
      person("1", "therapist", "Dr. Zed"), person("2", "patient", "Ana"), person("3", "therapist", "Dr. Amy", false),
      person("4", "therapist", "Dr. Bo"), person("5", "admin", "Dana"),
    ]);
    expect(grouped.therapist.map((u) => u.displayName)).toEqual(["Dr. Bo", "Dr. Zed", "Dr. Amy"]);
    expect(grouped.patient.map((u) => u.userId)).toEqual(["2"]);
    expect(grouped.admin.map((u) => u.userId)).toEqual(["5"]);
  });

  it("has an empty list for a role nobody holds", () => {
    expect(usersByRole([])).toEqual({ therapist: [], patient: [], admin: [] });
  });
});
