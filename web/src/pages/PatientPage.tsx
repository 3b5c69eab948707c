// A patient seen by their therapist: the summary header, plan progress and prescription, the streak card, workout and
// exercise sessions, app visits, management time and billing records. The header and the plan come from /summary alone.
import { useMemo, useState } from "react";
import { api, unwrap, type Workout } from "../api/client";
import { EntranceHistory } from "../components/EntranceHistory";
import { ExerciseSessionList } from "../components/ExerciseSessionList";
import { PainChart } from "../components/PainChart";
import { PatientBilling } from "../components/PatientBilling";
import { PatientHeader } from "../components/PatientHeader";
import { Failure, Loading } from "../components/Status";
import { StreakCard } from "../components/StreakCard";
import { TimeEntries } from "../components/TimeEntries";
import { WeeklyAdherence } from "../components/WeeklyAdherence";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { localToday } from "../logic/format";
import { averagePainChange, painSeries } from "../logic/pain";
import { doseLabel } from "../logic/planForm";
import { sessionRows } from "../logic/sessions";
import { Link } from "../router";

export function PatientPage({ patientId }: { patientId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [summary, reloadSummary] = useLoad(
    () => unwrap(api.GET("/v1/patients/{patient_id}/summary", { params: { path: { patient_id: patientId } } })),
    [patientId],
  );
  const [workouts, reloadWorkouts] = useLoad(
    () => unwrap(api.GET("/v2/doctor/patients/{patient_id}/workout-sessions", { params: { path: { patient_id: patientId } } })),
    [patientId],
  );
  const [streak, reloadStreak] = useLoad(() => unwrap(api.GET("/v2/streaks", { params: { query: { patientId } } })), [patientId]);
  const [catalogue] = useLoad(() => unwrap(api.GET("/v1/exercises")), []);
  const exerciseNames = useMemo(
    () => new Map(catalogue.state === "ready" ? catalogue.value.map((e) => [e.exerciseId, e.name] as const) : []),
    [catalogue],
  );
  const [billingGeneration, setBillingGeneration] = useState(0);
  const plan = summary.state === "ready" ? summary.value.currentPlan : null;
  return (
    <div className="patient-page">
      <p>
        <Link href="/">{t("patient.back")}</Link>
      </p>
      {summary.state === "loading" && <Loading />}
      {summary.state === "error" && <Failure failure={summary.failure} retry={reloadSummary} />}
      {summary.state === "ready" && <PatientHeader summary={summary.value} />}
      {summary.state === "ready" &&
        (plan ? (
          <PlanProgress planId={plan.planId} patientId={patientId} />
        ) : (
          <section className="card">
            <h2>{t("patient.plan")}</h2>
            <p>{t("patient.noPlan")}</p>
            <p>
              <Link href={`/patients/${patientId}/plans`}>{t("patient.buildPlan")}</Link>
            </p>
          </section>
        ))}
      {streak.state === "loading" && <Loading />}
      {streak.state === "error" && <Failure failure={streak.failure} retry={reloadStreak} />}
      {streak.state === "ready" && <StreakCard streak={streak.value} />}
      {workouts.state === "loading" && <Loading />}
      {workouts.state === "error" && <Failure failure={workouts.failure} retry={reloadWorkouts} />}
      {workouts.state === "ready" && <WorkoutTable workouts={workouts.value.workouts} />}
      <ExerciseSessionList patientId={patientId} exerciseNames={exerciseNames} />
      <EntranceHistory patientId={patientId} />
      {summary.state === "ready" && (
        <TimeEntries
          patientId={patientId}
          today={localToday(summary.value.timezone)}
          onLogged={() => {
            reloadSummary();
            setBillingGeneration((g) => g + 1);
          }}
        />
      )}
      <PatientBilling patientId={patientId} generation={billingGeneration} />
    </div>
  );
}

/** The current plan's progress route: pain before and after per session, this week, and weekly adherence; the
 * prescription (each exercise's dose) from the plan route. */
function PlanProgress({ planId, patientId }: { planId: string; patientId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [progress, reload] = useLoad(
    () => unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}/progress", { params: { path: { plan_id: planId } } })),
    [planId],
  );
  const [prescribed, reloadPlan] = useLoad(
    () => unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}", { params: { path: { plan_id: planId } } })),
    [planId],
  );
  const series = progress.state === "ready" ? painSeries(progress.value.painTrend) : null;
  const change = series === null ? null : averagePainChange(series);
  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title">{progress.state === "ready" ? progress.value.title : t("patient.plan")}</h2>
      {progress.state === "loading" && <Loading />}
      {progress.state === "error" && <Failure failure={progress.failure} retry={reload} />}
      {progress.state === "ready" && (
        <>
          <p>
            <span data-testid="plan-status">{statusLabel(t, "planStatus", progress.value.status)}</span> · {progress.value.startDate} –{" "}
            {progress.value.endDate} · <Link href={`/patients/${patientId}/plans`}>{t("patient.managePlans")}</Link>
          </p>
          {prescribed.state === "error" && <Failure failure={prescribed.failure} retry={reloadPlan} />}
          {prescribed.state === "ready" && (
            <ul className="prescribed" data-testid="plan-exercises" aria-label={t("editor.exercises")}>
              {[...prescribed.value.exercises]
                .sort((a, b) => a.position - b.position)
                .map((e) => (
                  <li key={e.position} data-exercise-id={e.exerciseId}>
                    <span className="dose-name">{e.name}</span> <span className="dose">{doseLabel(t, e.sets, e.reps, e.holdSeconds)}</span>
                  </li>
                ))}
            </ul>
          )}
          {progress.value.thisWeek && (
            <p>{t("patient.thisWeek", { done: progress.value.thisWeek.sessionsDone, planned: progress.value.thisWeek.sessionsPlanned })}</p>
          )}
          {series !== null && <PainChart series={series} title={t("patient.painTrend")} />}
          {change !== null && <p>{t("patient.painChange", { value: change > 0 ? `+${change}` : change })}</p>}
          <WeeklyAdherence planId={planId} />
        </>
      )}
    </section>
  );
}

function WorkoutTable({ workouts }: { workouts: Workout[] }): React.JSX.Element {
  const { t } = useI18n();
  const rows = sessionRows(workouts);
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t("patient.workouts")}</h2>
      {rows.length === 0 ? (
        <p>{t("patient.noWorkouts")}</p>
      ) : (
        <div className="scroll">
          <table data-testid="workout-sessions">
            <thead>
              <tr>
                <th scope="col">{t("patient.date")}</th>
                <th scope="col">{t("patient.session")}</th>
                <th scope="col">{t("patient.status")}</th>
                <th scope="col">{t("patient.painBefore")}</th>
                <th scope="col">{t("patient.painAfter")}</th>
                <th scope="col">{t("patient.duration")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.workoutId} data-workout-id={w.workoutId}>
                  <td>{w.localDate ?? w.scheduledDate ?? t("common.none")}</td>
                  <td>{w.sessionNumber > 0 ? w.sessionNumber : t("common.none")}</td>
                  <td>
                    {statusLabel(t, "workoutStatus", w.status)}
                    {w.completedViaAppEntrance && (
                      <span className="badge app-visit" data-testid="app-visit">
                        {t("patient.appVisit")}
                      </span>
                    )}
                  </td>
                  <td className="pain-before">{w.painBefore ?? t("common.none")}</td>
                  <td className="pain-after">{w.painAfter ?? t("common.none")}</td>
                  <td>{w.durationMinutes ?? t("common.none")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
