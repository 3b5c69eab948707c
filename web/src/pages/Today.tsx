// The patient portal: today's workout and completing it, the streak card, my progress and my daily activity. Phone first.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiFailure, api, unwrap, type Workout } from "../api/client";
import { ActivityHeatmap } from "../components/ActivityHeatmap";
import { MyProgress } from "../components/MyProgress";
import { Failure, Loading } from "../components/Status";
import { StreakCard } from "../components/StreakCard";
import { useLoad } from "../components/useLoad";
import { useI18n } from "../i18n";
import { completionBody, initialForm, type CompletionForm } from "../logic/completion";
import { doseLabel } from "../logic/planForm";

const STREAK_REREADS = 8;

/** On mount, as the reference dashboard does: sync the device's timezone and log the app entrance.
 * Fire-and-forget: neither is awaited by the page, and a failure of either is dropped. */
function useMountSync(): void {
  const done = useRef(false);
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (timezone) void api.POST("/v2/user/auto-update-timezone", { body: { timezone } }).catch(() => undefined);
    void api.POST("/v2/app-entrances/log", {}).catch(() => undefined);
  }, []);
}

export function Today(): React.JSX.Element {
  const { t } = useI18n();
  useMountSync();
  const [today, reload] = useLoad(() => unwrap(api.GET("/v2/workouts/today")), []);
  const [streak, reloadStreak] = useLoad(() => unwrap(api.GET("/v2/streaks")), []);
  const [completedNow, setCompletedNow] = useState(false);
  useEffect(() => {
    if (!completedNow) return;
    // The streaks service hears of the workout through the broker a moment later: read the card again a few times.
    let reads = 0;
    const timer = window.setInterval(() => {
      reads += 1;
      reloadStreak();
      if (reads >= STREAK_REREADS) window.clearInterval(timer);
    }, 2500);
    return () => window.clearInterval(timer);
    // Only completedNow starts it: reloadStreak is a new closure each render.
  }, [completedNow]);
  const afterCompletion = (): void => {
    setCompletedNow(true);
    reload();
    reloadStreak();
  };
  return (
    <div className="portal">
      <section className="card" aria-labelledby="today-title">
        <h1 id="today-title">{t("today.title")}</h1>
        {today.state === "loading" && <Loading />}
        {today.state === "error" && <Failure failure={today.failure} retry={reload} />}
        {completedNow && <p data-testid="today-done">{t("today.done")}</p>}
        {today.state === "ready" && <OpenWorkout localDate={today.value.localDate} workout={today.value.workout} completedNow={completedNow} onCompleted={afterCompletion} />}
      </section>
      {streak.state === "ready" && <StreakCard streak={streak.value} />}
      {streak.state === "error" && <Failure failure={streak.failure} retry={reloadStreak} />}
      {today.state === "ready" && today.value.workout !== null && (
        <MyProgress planId={today.value.workout.planId} generation={completedNow ? 1 : 0} />
      )}
      <ActivityHeatmap generation={completedNow ? 1 : 0} />
    </div>
  );
}

/** The API answers the next open workout: today's, or a later one once today's is done (not completed early). */
function OpenWorkout(props: { localDate: string; workout: Workout | null; completedNow: boolean; onCompleted: () => void }): React.JSX.Element | null {
  const { t } = useI18n();
  const { workout } = props;
  if (workout === null) return props.completedNow ? null : <p>{t("today.none")}</p>;
  if (workout.scheduledDate !== null && workout.scheduledDate > props.localDate) {
    return (
      <p data-testid="next-workout">
        {props.completedNow ? "" : `${t("today.none")} `}
        {t("today.next", { date: workout.scheduledDate })}
      </p>
    );
  }
  return <TodayWorkout key={workout.workoutId} workout={workout} onCompleted={props.onCompleted} />;
}

function TodayWorkout({ workout, onCompleted }: { workout: Workout; onCompleted: () => void }): React.JSX.Element {
  const { t } = useI18n();
  const [form, setForm] = useState<CompletionForm>(() => initialForm(workout));
  const [invalid, setInvalid] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  if (workout.status === "completed") return <p data-testid="today-done">{t("today.done")}</p>;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const body = completionBody(workout, form, new Date());
    setInvalid(body === null);
    if (body === null) return;
    setSaving(true);
    setFailure(null);
    try {
      await unwrap(api.POST("/v2/workouts/{workout_id}/complete", { params: { path: { workout_id: workout.workoutId } }, body }));
      onCompleted();
    } catch (error) {
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    } finally {
      setSaving(false);
    }
  };
  const field = (name: "painBefore" | "painAfter" | "difficulty" | "minutes", label: string, min: number, max: number): React.JSX.Element => (
    <label className="field">
      {label}
      <input
        name={name}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        required
        value={form[name]}
        onChange={(event) => setForm({ ...form, [name]: event.target.value })}
      />
    </label>
  );
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t("today.exercises")}</h2>
      <ul className="exercises">
        {workout.exercises.map((e) => {
          const done = form.exercises[e.exerciseId];
          const change = (part: "sets" | "reps", value: string): void =>
            setForm({ ...form, exercises: { ...form.exercises, [e.exerciseId]: { ...done, [part]: value } } });
          return (
            <li key={e.exerciseId} data-exercise-id={e.exerciseId}>
              <span className="exercise-name">{e.name}</span> — {doseLabel(t, e.prescribedSets, e.prescribedReps, e.prescribedHoldSeconds)}
              <div className="done-figures">
                <label className="field">
                  {t("today.setsDone")}
                  <span className="visually-hidden"> {e.name}</span>
                  <input type="number" inputMode="numeric" min={0} max={100} value={done.sets} onChange={(event) => change("sets", event.target.value)} />
                </label>
                <label className="field">
                  {t("today.repsDone")}
                  <span className="visually-hidden"> {e.name}</span>
                  <input type="number" inputMode="numeric" min={0} max={1000} value={done.reps} onChange={(event) => change("reps", event.target.value)} />
                </label>
              </div>
            </li>
          );
        })}
      </ul>
      {field("painBefore", t("today.painBefore"), 0, 10)}
      {field("painAfter", t("today.painAfter"), 0, 10)}
      {field("difficulty", t("today.difficulty"), 1, 10)}
      {field("minutes", t("today.minutes"), 1, 240)}
      {invalid && (
        <p role="alert" className="alert">
          {t("today.invalid")}
        </p>
      )}
      {failure && <Failure failure={failure} />}
      <button type="submit" className="primary" disabled={saving}>
        {saving ? t("today.saving") : t("today.complete")}
      </button>
    </form>
  );
}
