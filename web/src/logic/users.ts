// The users page's grouping: the clinic's people by role, therapists first, active before deactivated, then by name.
import type { Schemas } from "../api/client";

type User = Schemas["ClinicUserReply"];
export type Role = User["role"];

export const ROLE_ORDER: readonly Role[] = ["therapist", "patient", "admin"];

export function usersByRole(users: readonly User[]): Record<Role, User[]> {
  const grouped: Record<Role, User[]> = { therapist: [], patient: [], admin: [] };
  for (const user of users) grouped[user.role].push(user);
  for (const role of ROLE_ORDER) {
    grouped[role].sort((a, b) => Number(b.active) - Number(a.active) || a.displayName.localeCompare(b.displayName));
  }
  return grouped;
}
