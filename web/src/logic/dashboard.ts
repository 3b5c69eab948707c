// The organisation dashboard's bars: plan outcomes as shares of all plans, exercises by completion, widths 0..100.
export interface Bar {
  key: string;
  label: string;
  value: number;
  percent: number; // bar width
}

export interface Outcomes {
  active: number;
  completed: number;
  expired: number;
  cancelled: number;
}

/** One bar per outcome, each the share of all the clinic's plans (no plan: every bar empty, never NaN). */
export function outcomeBars(outcomes: Outcomes, label: (key: keyof Outcomes) => string): Bar[] {
  const keys = ["active", "completed", "expired", "cancelled"] as const;
  const total = keys.reduce((sum, k) => sum + outcomes[k], 0);
  return keys.map((key) => ({ key, label: label(key), value: outcomes[key], percent: total === 0 ? 0 : Math.round((100 * outcomes[key]) / total) }));
}

export interface Usage {
  exerciseId: string;
  name: string;
  plansPrescribed: number;
  completionPercent: number | null;
}

/** Most prescribed exercises, bars scaled to the most prescribed one. */
export function prescribedBars(usage: readonly Usage[]): Bar[] {
  const most = Math.max(0, ...usage.map((u) => u.plansPrescribed));
  return usage.map((u) => ({
    key: u.exerciseId, label: u.name, value: u.plansPrescribed, percent: most === 0 ? 0 : Math.round((100 * u.plansPrescribed) / most),
  }));
}

/** A signed figure with its sign ("+1.5", "-0.5"), or null when there is nothing to say. */
export function signed(value: number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const rounded = Math.round(value * 10) / 10;
  return rounded > 0 ? `+${rounded}` : `${rounded}`;
}
