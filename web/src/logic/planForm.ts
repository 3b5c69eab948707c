// The plan editor's form: drafts as typed, the bodies the plan routes take, and the API's field errors per input.
import type { FieldProblem, Schemas } from "../api/client";
import type { Translate } from "../i18n";

type Plan = Schemas["PlanReply"];
type Exercise = Schemas["ExerciseReply"];
export type CreatePlanBody = Schemas["CreatePlanBody"];
export type UpdatePlanBody = Schemas["UpdatePlanBody"];

export interface PrescriptionDraft {
  exerciseId: string;
  name: string;
  sets: string;
  reps: string;
  holdSeconds: string; // empty: no hold
}

export interface PlanDraft {
  title: string;
  startDate: string;
  durationWeeks: string;
  frequencyPerWeek: string;
  exercises: PrescriptionDraft[];
}

export function emptyDraft(startDate: string): PlanDraft {
  return { title: "", startDate, durationWeeks: "6", frequencyPerWeek: "3", exercises: [] };
}

export function draftFromPlan(plan: Plan): PlanDraft {
  return {
    title: plan.title,
    startDate: plan.startDate,
    durationWeeks: String(plan.durationWeeks),
    frequencyPerWeek: String(plan.frequencyPerWeek),
    exercises: [...plan.exercises]
      .sort((a, b) => a.position - b.position)
      .map((e) => ({ exerciseId: e.exerciseId, name: e.name, sets: String(e.sets), reps: String(e.reps), holdSeconds: e.holdSeconds ? String(e.holdSeconds) : "" })),
  };
}

export function prescribe(exercise: Exercise): PrescriptionDraft {
  return { exerciseId: exercise.exerciseId, name: exercise.name, sets: "3", reps: "10", holdSeconds: "" };
}

/** The services name a prescription `exercises[0].sets`, the gateway's schema `exercises.0.sets`: one key for both. */
export function fieldKey(field: string): string {
  return field.replace(/\[(\d+)\]/g, ".$1");
}

/** Each field's messages, keyed by fieldKey, so every input shows what the API said about it. */
export function messagesByField(problems: readonly FieldProblem[]): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const p of problems) (byField[fieldKey(p.field)] ??= []).push(p.message);
  return byField;
}

function whole(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/** A draft's numbers as the API takes them; a field that is not a whole number is named instead (JSON cannot
 * carry it as a number). Ranges are the API's to check: its errors name the field. */
type Parsed<T> = { body: T; notWhole: [] } | { body: null; notWhole: string[] };

function prescriptions(drafts: readonly PrescriptionDraft[], notWhole: string[]): Schemas["PrescribedExerciseBody"][] {
  return drafts.map((d, i) => {
    const sets = whole(d.sets);
    const reps = whole(d.reps);
    const hold = d.holdSeconds.trim() === "" ? null : whole(d.holdSeconds);
    if (sets === null) notWhole.push(`exercises.${i}.sets`);
    if (reps === null) notWhole.push(`exercises.${i}.reps`);
    if (d.holdSeconds.trim() !== "" && hold === null) notWhole.push(`exercises.${i}.holdSeconds`);
    return { exerciseId: d.exerciseId, sets: sets ?? 0, reps: reps ?? 0, ...(hold !== null ? { holdSeconds: hold } : {}) };
  });
}

export function createBody(patientId: string, draft: PlanDraft): Parsed<CreatePlanBody> {
  const notWhole: string[] = [];
  const durationWeeks = whole(draft.durationWeeks);
  const frequencyPerWeek = whole(draft.frequencyPerWeek);
  if (durationWeeks === null) notWhole.push("durationWeeks");
  if (frequencyPerWeek === null) notWhole.push("frequencyPerWeek");
  const exercises = prescriptions(draft.exercises, notWhole);
  if (notWhole.length > 0) return { body: null, notWhole };
  return {
    body: { patientId, title: draft.title, startDate: draft.startDate, durationWeeks: durationWeeks ?? 0, frequencyPerWeek: frequencyPerWeek ?? 0, exercises },
    notWhole: [],
  };
}

/** An active plan's edit: its title and prescription (the API keeps its dates and sessions as scheduled). */
export function updateBody(draft: PlanDraft): Parsed<UpdatePlanBody> {
  const notWhole: string[] = [];
  const exercises = prescriptions(draft.exercises, notWhole);
  if (notWhole.length > 0) return { body: null, notWhole };
  return { body: { title: draft.title, exercises }, notWhole: [] };
}

/** The plan's last day, start + 7 × weeks − 1 (both included, as plans counts them), or null while either is unset. */
export function lastDay(startDate: string, durationWeeks: string): string | null {
  const weeks = whole(durationWeeks);
  if (weeks === null || weeks < 1 || !/^\d{4}-\d{2}-\d{2}$/.test(startDate)) return null;
  const day = new Date(`${startDate}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return null;
  day.setUTCDate(day.getUTCDate() + 7 * weeks - 1);
  return day.toISOString().slice(0, 10);
}

/** "3 × 10" or "2 × 1, hold 45 s": one prescribed exercise's dose. */
export function doseLabel(t: Translate, sets: number, reps: number, holdSeconds?: number | null): string {
  const dose = t("today.setsReps", { sets, reps });
  return holdSeconds ? t("editor.doseHold", { dose, seconds: holdSeconds }) : dose;
}

/** Catalogue exercises whose name holds the query (any case), leaving out those already prescribed. */
export function catalogueMatches(catalogue: readonly Exercise[], query: string, chosen: readonly PrescriptionDraft[]): Exercise[] {
  const q = query.trim().toLocaleLowerCase();
  const taken = new Set(chosen.map((c) => c.exerciseId));
  return catalogue.filter((e) => !taken.has(e.exerciseId) && (q === "" || e.name.toLocaleLowerCase().includes(q)));
}

/** The prescription with one exercise moved up (-1) or down (+1); the order is the order the patient does them. */
export function move<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= list.length) return [...list];
  const next = [...list];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}
