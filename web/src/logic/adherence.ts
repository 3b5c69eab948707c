// Weekly adherence bars from the analytics route: weeks with nothing expected yet are not bars.
import type { Schemas } from "../api/client";

export type WeekAdherence = Schemas["WeekAdherenceReply"];

export interface Bar {
  weekNumber: number;
  completed: number;
  expected: number;
  /** 0–100, capped: a week done twice over is a full bar. */
  percent: number;
}

export function adherenceBars(weeks: readonly WeekAdherence[]): Bar[] {
  return weeks
    .filter((w) => w.expected > 0)
    .slice()
    .sort((a, b) => a.weekNumber - b.weekNumber)
    .map((w) => ({
      weekNumber: w.weekNumber,
      completed: w.completed,
      expected: w.expected,
      percent: Math.min(100, Math.round((w.completed / w.expected) * 100)),
    }));
}
