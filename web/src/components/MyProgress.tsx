// The patient's own plan progress: sessions done of planned, this week, and pain before and after each session.
import { api, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { painSeries } from "../logic/pain";
import { PainChart } from "./PainChart";
import { useLoad } from "./useLoad";

export function MyProgress({ planId, generation }: { planId: string; generation: number }): React.JSX.Element | null {
  const { t } = useI18n();
  const [progress] = useLoad(
    () => unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}/progress", { params: { path: { plan_id: planId } } })),
    [planId, generation],
  );
  if (progress.state !== "ready") return null; // the workout matters more: no spinner or error for this part
  const { sessionsCompleted, sessionsPlanned, thisWeek, painTrend } = progress.value;
  const series = painSeries(painTrend);
  return (
    <section className="card" aria-labelledby="progress-title">
      <h2 id="progress-title">{t("today.progress")}</h2>
      <p data-testid="my-sessions">{t("patient.sessions", { done: sessionsCompleted, planned: sessionsPlanned })}</p>
      {thisWeek && (
        <p data-testid="my-week">{t("patient.thisWeek", { done: thisWeek.sessionsDone, planned: thisWeek.sessionsPlanned })}</p>
      )}
      {series.sessions.length > 0 && <PainChart series={series} title={t("patient.painTrend")} />}
    </section>
  );
}
