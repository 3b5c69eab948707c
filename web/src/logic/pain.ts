// The pain trend chart's data: before and after per completed session, in session order.
import type { SessionPain, Workout } from "../api/client";

export interface PainSeries {
  /** x: the session number (uPlot wants numbers, ascending). */
  sessions: number[];
  before: (number | null)[];
  after: (number | null)[];
  labels: string[];
}

/** From the progress route's painTrend: sessions without either value are left out. */
export function painSeries(trend: readonly SessionPain[]): PainSeries {
  const rows = trend
    .filter((row) => row.painBefore !== null || row.painAfter !== null)
    .slice()
    .sort((a, b) => a.sessionNumber - b.sessionNumber);
  return {
    sessions: rows.map((row) => row.sessionNumber),
    before: rows.map((row) => row.painBefore),
    after: rows.map((row) => row.painAfter),
    labels: rows.map((row) => row.localDate),
  };
}

/** The same shape from completed workouts (a patient's history, a therapist's session list). */
export function painFromWorkouts(workouts: readonly Workout[]): PainSeries {
  return painSeries(
    workouts
      .filter((w) => w.status === "completed" && w.mirroredFromWorkoutId === null)
      .map((w) => ({ sessionNumber: w.sessionNumber, localDate: w.localDate ?? "", painBefore: w.painBefore, painAfter: w.painAfter })),
  );
}

/** Average change after minus before (negative: pain went down), or null with no complete pair. */
export function averagePainChange(series: PainSeries): number | null {
  const deltas: number[] = [];
  series.before.forEach((before, i) => {
    const after = series.after[i];
    if (before !== null && after !== null && after !== undefined) deltas.push(after - before);
  });
  if (deltas.length === 0) return null;
  return Math.round((deltas.reduce((a, b) => a + b, 0) / deltas.length) * 10) / 10;
}
