// Adherence to date and one bar per plan week (GET …/analytics), each bar also said in words.
import { api, unwrap } from "../api/client";
import { statusLabel, useI18n } from "../i18n";
import { adherenceBars } from "../logic/adherence";
import { Failure, Loading } from "./Status";
import { useLoad } from "./useLoad";

export function WeeklyAdherence({ planId }: { planId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(
    () => unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}/analytics", { params: { path: { plan_id: planId } } })),
    [planId],
  );
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "error") return <Failure failure={loaded.failure} retry={reload} />;
  const analytics = loaded.value;
  const bars = adherenceBars(analytics.weeklyAdherence);
  return (
    <div className="adherence">
      <h2>{t("adherence.title")}</h2>
      <p data-testid="adherence-percent">
        {analytics.adherencePercent === null ? t("adherence.nothingDue") : t("adherence.toDate", { percent: Math.round(analytics.adherencePercent) })}
        {" · "}
        {statusLabel(t, "trend", analytics.trend)}
      </p>
      <ul className="bars" data-testid="adherence-bars">
        {bars.map((bar) => (
          <li key={bar.weekNumber}>
            <span className="bar-label">{t("adherence.week", { week: bar.weekNumber })}</span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar-fill" style={{ width: `${bar.percent}%` }} />
            </span>
            <span>{t("adherence.sessions", { done: bar.completed, expected: bar.expected })}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
