// A patient seen by their therapist: plan progress, the pain trend, the streak card and the workout sessions.
import { api, unwrap, type Progress, type Workout } from "../api/client";
import { EntranceHistory } from "../components/EntranceHistory";
import { PainChart } from "../components/PainChart";
import { Failure, Loading } from "../components/Status";
import { StreakCard } from "../components/StreakCard";
import { WeeklyAdherence } from "../components/WeeklyAdherence";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { averagePainChange, painSeries } from "../logic/pain";
import { latestPlanId, sessionRows } from "../logic/sessions";
import { Link } from "../router";

async function loadPatient(patientId: string): Promise<{ workouts: Workout[]; progress: Progress | null }> {
  const { workouts } = await unwrap(
    api.GET("/v2/doctor/patients/{patient_id}/workout-sessions", { params: { path: { patient_id: patientId } } }),
  );
  const planId = latestPlanId(workouts);
  const progress =
    planId === null ? null : await unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}/progress", { params: { path: { plan_id: planId } } }));
  return { workouts, progress };
}

export function PatientPage({ patientId }: { patientId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [patient, reload] = useLoad(() => loadPatient(patientId), [patientId]);
  const [streak, reloadStreak] = useLoad(() => unwrap(api.GET("/v2/streaks", { params: { query: { patientId } } })), [patientId]);
  return (
    <div className="patient-page">
      <p>
        <Link href="/">{t("patient.back")}</Link>
      </p>
      {patient.state === "loading" && <Loading />}
      {patient.state === "error" && <Failure failure={patient.failure} retry={reload} />}
      {patient.state === "ready" && <PatientDetail workouts={patient.value.workouts} progress={patient.value.progress} />}
      {streak.state === "loading" && <Loading />}
      {streak.state === "error" && <Failure failure={streak.failure} retry={reloadStreak} />}
      {streak.state === "ready" && <StreakCard streak={streak.value} />}
      <EntranceHistory patientId={patientId} />
    </div>
  );
}

function PatientDetail({ workouts, progress }: { workouts: Workout[]; progress: Progress | null }): React.JSX.Element {
  const { t } = useI18n();
  const rows = sessionRows(workouts);
  const series = progress === null ? null : painSeries(progress.painTrend);
  const change = series === null ? null : averagePainChange(series);
  return (
    <>
      <section className="card" aria-labelledby="plan-title">
        <h1 id="plan-title">{progress?.title ?? t("patient.plan")}</h1>
        {progress === null ? (
          <p>{t("patient.noPlan")}</p>
        ) : (
          <>
            <p>
              {statusLabel(t, "planStatus", progress.status)} · {progress.startDate} – {progress.endDate}
            </p>
            <p data-testid="sessions-progress">{t("patient.sessions", { done: progress.sessionsCompleted, planned: progress.sessionsPlanned })}</p>
            {progress.thisWeek && <p>{t("patient.thisWeek", { done: progress.thisWeek.sessionsDone, planned: progress.thisWeek.sessionsPlanned })}</p>}
            {series !== null && <PainChart series={series} title={t("patient.painTrend")} />}
            {change !== null && <p>{t("patient.painChange", { value: change > 0 ? `+${change}` : change })}</p>}
            <WeeklyAdherence planId={progress.planId} />
          </>
        )}
      </section>
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
    </>
  );
}
