// Which workouts a therapist's session list shows, in which order, and which plan the page follows.
import type { Workout } from "../api/client";

/** Done or skipped workouts (mirror ones included), newest first; scheduled ones are not sessions yet. */
export function sessionRows(workouts: readonly Workout[]): Workout[] {
  const day = (w: Workout): string => w.localDate ?? w.scheduledDate ?? "";
  return workouts
    .filter((w) => w.status !== "scheduled")
    .slice()
    .sort((a, b) => day(b).localeCompare(day(a)) || b.sessionNumber - a.sessionNumber);
}

/** The plan of the most recent real workout (the progress route is per plan), or null with none. */
export function latestPlanId(workouts: readonly Workout[]): string | null {
  const real = workouts.filter((w) => w.source === "real");
  if (real.length === 0) return null;
  const day = (w: Workout): string => w.localDate ?? w.scheduledDate ?? "";
  const done = real.filter((w) => w.status !== "scheduled");
  const pool = done.length > 0 ? done : real;
  return pool.reduce((latest, w) => (day(w) > day(latest) ? w : latest)).planId;
}
