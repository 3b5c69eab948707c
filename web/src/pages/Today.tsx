// The patient portal: today's workout and completing it, and the streak card. Phone-sized first.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiFailure, api, unwrap, type Workout } from "../api/client";
import { PainChart } from "../components/PainChart";
import { Failure, Loading } from "../components/Status";
import { StreakCard } from "../components/StreakCard";
import { useLoad } from "../components/useLoad";
import { useI18n } from "../i18n";
import { completionBody, type CompletionForm } from "../logic/completion";
import { painSeries } from "../logic/pain";

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
    </div>
  );
}

/** My plan: sessions done of planned and my pain before and after each session. */
function MyProgress({ planId, generation }: { planId: string; generation: number }): React.JSX.Element | null {
  const { t } = useI18n();
  const [progress] = useLoad(
    () => unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}/progress", { params: { path: { plan_id: planId } } })),
    [planId, generation],
  );
  if (progress.state !== "ready") return null; // the workout matters more: no spinner or error for this part
  const series = painSeries(progress.value.painTrend);
  return (
    <section className="card" aria-labelledby="progress-title">
      <h2 id="progress-title">{t("today.progress")}</h2>
      <p data-testid="my-sessions">{t("patient.sessions", { done: progress.value.sessionsCompleted, planned: progress.value.sessionsPlanned })}</p>
      {series.sessions.length > 0 && <PainChart series={series} title={t("patient.painTrend")} />}
    </section>
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
  return <TodayWorkout workout={workout} onCompleted={props.onCompleted} />;
}

function TodayWorkout({ workout, onCompleted }: { workout: Workout; onCompleted: () => void }): React.JSX.Element {
  const { t } = useI18n();
  const [form, setForm] = useState<CompletionForm>({ painBefore: "", painAfter: "", difficulty: "", minutes: "20" });
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
  const field = (name: keyof CompletionForm, label: string, min: number, max: number): React.JSX.Element => (
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
        {workout.exercises.map((e) => (
          <li key={e.exerciseId}>
            {e.name} — {t("today.setsReps", { sets: e.prescribedSets, reps: e.prescribedReps })}
          </li>
        ))}
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
