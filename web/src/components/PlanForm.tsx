// A plan's form: title, dates and frequency (when new), the exercises picked from the catalogue with their dose; the
// API checks it and each of its field errors is shown under the input it names. Numbers are text inputs (numeric
// keypad): a number input hides a typo like "5s" as an empty value, this form names it instead.
import { useId, useState, type FormEvent } from "react";
import { ApiFailure, api, unwrap, type Schemas } from "../api/client";
import { useI18n } from "../i18n";
import { catalogueMatches, createBody, lastDay, messagesByField, move, prescribe, updateBody, type PlanDraft } from "../logic/planForm";
import { Failure } from "./Status";

type Plan = Schemas["PlanReply"];
type Exercise = Schemas["ExerciseReply"];

// Inputs of the form by the API's field names; any other field the API names is listed above the form.
const PLAN_FIELDS = ["title", "startDate", "durationWeeks", "frequencyPerWeek"] as const;
const DOSE_FIELDS = ["sets", "reps", "holdSeconds", "exerciseId"] as const;

interface Props {
  patientId: string;
  planId?: string; // set: editing that active plan (its title and exercises)
  initial: PlanDraft;
  catalogue: Exercise[];
  onSaved: (plan: Plan) => void;
  onCancel: () => void;
}

export function PlanForm({ patientId, planId, initial, catalogue, onSaved, onCancel }: Props): React.JSX.Element {
  const { t } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState<PlanDraft>(initial);
  const [query, setQuery] = useState("");
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);
  const editing = planId !== undefined;
  const ends = lastDay(draft.startDate, draft.durationWeeks);
  const matches = catalogueMatches(catalogue, query, draft.exercises);

  const set = (change: Partial<PlanDraft>): void => setDraft((d) => ({ ...d, ...change }));
  const setDose = (index: number, change: Partial<PlanDraft["exercises"][number]>): void =>
    setDraft((d) => ({ ...d, exercises: d.exercises.map((e, i) => (i === index ? { ...e, ...change } : e)) }));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFailure(null);
    const parsed = editing ? updateBody(draft) : createBody(patientId, draft);
    if (parsed.body === null) {
      setProblems(Object.fromEntries(parsed.notWhole.map((field) => [field, [t("editor.wholeNumber")]])));
      return; // nothing is sent: JSON cannot carry "six" as a number
    }
    setProblems({});
    setSaving(true);
    try {
      const saved = editing
        ? await unwrap(api.PATCH("/v1/patient-treatment-plans/{plan_id}", { params: { path: { plan_id: planId } }, body: parsed.body as Schemas["UpdatePlanBody"] }))
        : await unwrap(api.POST("/v1/patient-treatment-plans", { body: parsed.body as Schemas["CreatePlanBody"] }));
      onSaved(saved);
    } catch (error) {
      const refused = error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error));
      setProblems(messagesByField(refused.fields));
      setFailure(refused);
    } finally {
      setSaving(false);
    }
  };

  // Messages for fields no input shows (the prescription as a whole, the patient): said once, above the form.
  const shown = new Set<string>([...PLAN_FIELDS, ...draft.exercises.flatMap((_, i) => DOSE_FIELDS.map((f) => `exercises.${i}.${f}`))]);
  const elsewhere = Object.entries(problems).filter(([field]) => !shown.has(field));

  const field = (name: string): { id: string; "aria-invalid": boolean; "aria-describedby"?: string } => ({
    id: `${id}-${name}`,
    "aria-invalid": (problems[name]?.length ?? 0) > 0,
    "aria-describedby": problems[name] ? `${id}-${name}-error` : undefined,
  });
  const errorsOf = (name: string): React.JSX.Element | null =>
    problems[name] ? (
      <span id={`${id}-${name}-error`} className="field-error" data-field={name}>
        {problems[name].join("; ")}
      </span>
    ) : null;

  return (
    <form className="card plan-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{editing ? t("editor.editTitle") : t("editor.newTitle")}</h2>
      {failure !== null && (
        <div role="alert" className="alert" data-testid="plan-form-problems">
          <p>{failure.status === 422 || failure.status === 400 ? t("editor.fixFields") : t("common.error", { detail: failure.message || failure.code })}</p>
          {elsewhere.length > 0 && (
            <ul>
              {elsewhere.map(([name, messages]) => (
                <li key={name}>
                  {name}: {messages.join("; ")}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {failure !== null && (failure.status === 503 || failure.status === 0) && <Failure failure={failure} />}
      <div className="field">
        <label htmlFor={`${id}-title-input`}>{t("editor.planTitle")}</label>
        <input {...field("title")} id={`${id}-title-input`} type="text" maxLength={200} value={draft.title} onChange={(e) => set({ title: e.target.value })} />
        {errorsOf("title")}
      </div>
      <div className="plan-dates">
        <div className="field">
          <label htmlFor={`${id}-startDate`}>{t("editor.startDate")}</label>
          <input {...field("startDate")} type="date" value={draft.startDate} disabled={editing} onChange={(e) => set({ startDate: e.target.value })} />
          {errorsOf("startDate")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-durationWeeks`}>{t("editor.durationWeeks")}</label>
          <input {...field("durationWeeks")} type="text" inputMode="numeric" autoComplete="off" value={draft.durationWeeks} disabled={editing} onChange={(e) => set({ durationWeeks: e.target.value })} />
          {errorsOf("durationWeeks")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-frequencyPerWeek`}>{t("editor.frequency")}</label>
          <input {...field("frequencyPerWeek")} type="text" inputMode="numeric" autoComplete="off" value={draft.frequencyPerWeek} disabled={editing} onChange={(e) => set({ frequencyPerWeek: e.target.value })} />
          {errorsOf("frequencyPerWeek")}
        </div>
      </div>
      <p data-testid="plan-ends">{ends ? t("editor.ends", { date: ends }) : t("editor.endsUnknown")}</p>
      {editing && <p className="help">{t("editor.editHelp")}</p>}

      <fieldset className="prescription">
        <legend>{t("editor.exercises")}</legend>
        {draft.exercises.length === 0 ? (
          <p>{t("editor.noExercises")}</p>
        ) : (
          <ol className="doses" data-testid="plan-form-exercises">
            {draft.exercises.map((e, i) => (
              <li key={`${e.exerciseId}-${i}`} data-exercise-id={e.exerciseId}>
                <span className="dose-name">{e.name}</span>
                {(["sets", "reps", "holdSeconds"] as const).map((part) => (
                  <span className="field" key={part}>
                    <label htmlFor={`${id}-exercises.${i}.${part}`}>{t(`editor.${part}`, { name: e.name })}</label>
                    <input
                      {...field(`exercises.${i}.${part}`)}
                      type="text"
                      inputMode="numeric"
                      autoComplete="off"
                      value={e[part]}
                      placeholder={part === "holdSeconds" ? t("editor.noHold") : undefined}
                      onChange={(ev) => setDose(i, { [part]: ev.target.value })}
                    />
                    {errorsOf(`exercises.${i}.${part}`)}
                  </span>
                ))}
                {errorsOf(`exercises.${i}.exerciseId`)}
                <span className="dose-actions">
                  <button type="button" onClick={() => set({ exercises: move(draft.exercises, i, -1) })} disabled={i === 0} aria-label={t("editor.moveUp", { name: e.name })}>
                    ↑
                  </button>
                  <button type="button" onClick={() => set({ exercises: move(draft.exercises, i, 1) })} disabled={i === draft.exercises.length - 1} aria-label={t("editor.moveDown", { name: e.name })}>
                    ↓
                  </button>
                  <button type="button" onClick={() => set({ exercises: draft.exercises.filter((_, j) => j !== i) })}>
                    {t("editor.remove", { name: e.name })}
                  </button>
                </span>
              </li>
            ))}
          </ol>
        )}
        <div className="field">
          <label htmlFor={`${id}-search`}>{t("editor.search")}</label>
          <input id={`${id}-search`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} aria-controls={`${id}-matches`} />
        </div>
        <ul id={`${id}-matches`} className="catalogue" aria-live="polite" data-testid="catalogue-matches">
          {matches.length === 0 && <li>{t("editor.noMatch")}</li>}
          {matches.map((exercise) => (
            <li key={exercise.exerciseId}>
              <button type="button" onClick={() => set({ exercises: [...draft.exercises, prescribe(exercise)] })}>
                {t("editor.add", { name: exercise.name })}
              </button>
            </li>
          ))}
        </ul>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? t("today.saving") : editing ? t("editor.saveChanges") : t("editor.create")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("editor.cancel")}
        </button>
      </div>
    </form>
  );
}
