// Which workouts a therapist's session list shows, and in which order.
import type { Workout } from "../api/client";

/** Done or skipped workouts (mirror ones included), newest first; scheduled ones are not sessions yet. */
export function sessionRows(workouts: readonly Workout[]): Workout[] {
  const day = (w: Workout): string => w.localDate ?? w.scheduledDate ?? "";
  return workouts
    .filter((w) => w.status !== "scheduled")
    .slice()
    .sort((a, b) => day(b).localeCompare(day(a)) || b.sessionNumber - a.sessionNumber);
}

