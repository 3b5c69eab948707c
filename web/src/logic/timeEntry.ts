// The time entry form's input, checked before anything is sent (the API checks again and names the field).
export const ACTIVITY_TYPES = [
  "data_review", "patient_communication", "care_plan_update", "care_coordination", "documentation", "other",
] as const;

export interface TimeEntryInput {
  minutes: string;
  activityType: string;
  interactive: boolean;
  occurredOn: string;
  note: string;
}

export interface TimeEntryBody {
  minutes: number;
  activityType: string;
  interactive: boolean;
  occurredOn: string;
  note?: string;
}

/** The body to post, or null when the minutes are not a whole number of 1..1440 or the day is not a date. */
export function parseTimeEntry(input: TimeEntryInput): TimeEntryBody | null {
  const text = input.minutes.trim();
  if (!/^\d+$/.test(text)) return null;
  const minutes = Number(text);
  if (minutes < 1 || minutes > 1440) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.occurredOn)) return null;
  const body: TimeEntryBody = { minutes, activityType: input.activityType, interactive: input.interactive, occurredOn: input.occurredOn };
  const note = input.note.trim();
  if (note) body.note = note;
  return body;
}
