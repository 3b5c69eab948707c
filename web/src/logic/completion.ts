// The completion form's rules: what a patient typed, checked, and turned into the complete-workout body.
import type { Schemas, Workout } from "../api/client";

export type CompleteBody = Schemas["CompleteWorkoutBody"];

export interface CompletionForm {
  painBefore: string;
  painAfter: string;
  difficulty: string;
  minutes: string;
}

function whole(text: string, low: number, high: number): number | null {
  if (!/^\d{1,3}$/.test(text.trim())) return null;
  const value = Number(text.trim());
  return value >= low && value <= high ? value : null;
}

/** The body to send, or null when a field is out of range (the form then says so; nothing is sent). */
export function completionBody(workout: Workout, form: CompletionForm, now: Date): CompleteBody | null {
  const painBefore = whole(form.painBefore, 0, 10);
  const painAfter = whole(form.painAfter, 0, 10);
  const difficulty = whole(form.difficulty, 1, 10);
  const minutes = whole(form.minutes, 1, 240);
  if (painBefore === null || painAfter === null || difficulty === null || minutes === null) return null;
  const end = new Date(now.getTime());
  const start = new Date(end.getTime() - minutes * 60_000);
  return {
    timeWorkoutStart: start.toISOString(),
    timeWorkoutEnd: end.toISOString(),
    painBefore,
    painAfter,
    perceivedDifficulty: difficulty,
    exercises: workout.exercises.map((e) => ({
      exerciseId: e.exerciseId,
      actualSets: e.prescribedSets,
      actualReps: e.prescribedReps,
      skipped: false,
    })),
  };
}
