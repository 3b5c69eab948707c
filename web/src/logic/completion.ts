// The completion form's rules: what a patient typed, checked, and turned into the complete-workout body.
import type { Schemas, Workout } from "../api/client";

export type CompleteBody = Schemas["CompleteWorkoutBody"];

export interface CompletionForm {
  painBefore: string;
  painAfter: string;
  difficulty: string;
  minutes: string;
  /** What was done of each prescribed exercise, by exercise id: starts at the prescription. */
  exercises: Record<string, { sets: string; reps: string }>;
}

/** The form as it opens: no pain or difficulty guessed, 20 minutes, each exercise as prescribed. */
export function initialForm(workout: Workout): CompletionForm {
  return {
    painBefore: "",
    painAfter: "",
    difficulty: "",
    minutes: "20",
    exercises: Object.fromEntries(workout.exercises.map((e) => [e.exerciseId, { sets: String(e.prescribedSets), reps: String(e.prescribedReps) }])),
  };
}

function whole(text: string, low: number, high: number): number | null {
  if (!/^\d{1,4}$/.test(text.trim())) return null;
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
  const done = workout.exercises.map((e) => {
    const typed = form.exercises[e.exerciseId];
    return { exerciseId: e.exerciseId, sets: typed ? whole(typed.sets, 0, 100) : e.prescribedSets, reps: typed ? whole(typed.reps, 0, 1000) : e.prescribedReps };
  });
  if (done.some((e) => e.sets === null || e.reps === null)) return null;
  const end = new Date(now.getTime());
  const start = new Date(end.getTime() - minutes * 60_000);
  return {
    timeWorkoutStart: start.toISOString(),
    timeWorkoutEnd: end.toISOString(),
    painBefore,
    painAfter,
    perceivedDifficulty: difficulty,
    // An exercise with nothing done (no sets or no reps) is reported skipped: adherence counts it as not done.
    exercises: done.map((e) => ({
      exerciseId: e.exerciseId,
      actualSets: e.sets ?? 0,
      actualReps: e.reps ?? 0,
      skipped: e.sets === 0 || e.reps === 0,
    })),
  };
}
