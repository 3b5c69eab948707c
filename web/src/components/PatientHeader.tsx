// The patient page header, all from GET /v1/patients/{id}/summary: who, whose, the plan, adherence, streak, RTM, alerts.
import type { Schemas } from "../api/client";
import { statusLabel, useI18n } from "../i18n";
import { dateTime } from "../logic/format";
import { formatPercent } from "../logic/roster";

export type PatientSummary = Schemas["PatientSummaryReply"];

export function PatientHeader({ summary }: { summary: PatientSummary }): React.JSX.Element {
  const { t, language } = useI18n();
  const none = t("common.none");
  const plan = summary.currentPlan;
  return (
    <section className="card patient-header" aria-labelledby="patient-name" data-testid="patient-header">
      <h1 id="patient-name">{summary.displayName}</h1>
      <dl className="facts">
        <div>
          <dt>{t("roster.therapist")}</dt>
          <dd data-testid="summary-therapist">{summary.therapist?.displayName ?? none}</dd>
        </div>
        <div>
          <dt>{t("roster.plan")}</dt>
          <dd>
            {plan === null || plan === undefined ? (
              none
            ) : (
              <>
                {plan.title} · {statusLabel(t, "planStatus", plan.status)}{" "}
                <span data-testid="sessions-progress">{t("patient.sessions", { done: plan.sessionsCompleted, planned: plan.sessionsPlanned })}</span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>{t("roster.adherence")}</dt>
          <dd data-testid="summary-adherence">
            {formatPercent(summary.adherence7d, none)} / {formatPercent(summary.adherence30d, none)}
          </dd>
        </div>
        <div>
          <dt>{t("roster.lastActivity")}</dt>
          <dd>{dateTime(summary.lastActivityAt, language) ?? none}</dd>
        </div>
        <div>
          <dt>{t("roster.streak")}</dt>
          <dd data-testid="summary-streak">{summary.currentDailyStreak ?? t("patient.streakUnavailable")}</dd>
        </div>
        <div>
          <dt>{t("roster.rtm")}</dt>
          <dd data-testid="summary-rtm">
            {statusLabel(t, "rtmStatus", summary.rtm.status)} ·{" "}
            {t("patient.rtmFigures", { days: summary.rtm.dataDays, minutes: summary.rtm.minutes })}
          </dd>
        </div>
        <div>
          <dt>{t("roster.alerts")}</dt>
          <dd data-testid="summary-alerts">
            {summary.alerts.length === 0
              ? none
              : summary.alerts.map((a) => (
                  <span key={a.kind} className="badge alert" title={a.detail}>
                    {statusLabel(t, "alert", a.kind)}
                  </span>
                ))}
          </dd>
        </div>
      </dl>
    </section>
  );
}
