// The clinic admin's organisation dashboard: pain improvement, adherence of active plans, top exercises, plan outcomes.
import { api, unwrap } from "../api/client";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { useI18n } from "../i18n";
import { outcomeBars, prescribedBars, signed, type Bar } from "../logic/dashboard";
import { oneDecimal } from "../logic/format";

function Bars({ bars, testId, caption }: { bars: Bar[]; testId: string; caption: string }): React.JSX.Element {
  return (
    <figure className="chart">
      <figcaption>{caption}</figcaption>
      <ul className="bars" data-testid={testId}>
        {bars.map((bar) => (
          <li key={bar.key}>
            <span className="bar-label">{bar.label}</span>
            <span className="bar-track" aria-hidden="true">
              <span className="bar-fill" style={{ width: `${bar.percent}%` }} />
            </span>
            <span>{bar.value}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export function Dashboard(): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(() => unwrap(api.GET("/v1/organizations/dashboard")), []);
  const none = t("common.none");
  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{t("dashboard.title")}</h1>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" && (
        <>
          <div className="card">
            <h2>{t("dashboard.pain")}</h2>
            <dl className="facts" data-testid="dashboard-pain">
              <div>
                <dt>{t("dashboard.plansCounted")}</dt>
                <dd>{loaded.value.painImprovement.plansCounted}</dd>
              </div>
              <div>
                <dt>{t("chart.before")}</dt>
                <dd>{t("dashboard.points", { points: signed(loaded.value.painImprovement.beforePoints) ?? none })}</dd>
              </div>
              <div>
                <dt>{t("chart.after")}</dt>
                <dd>{t("dashboard.points", { points: signed(loaded.value.painImprovement.afterPoints) ?? none })}</dd>
              </div>
            </dl>
          </div>
          <div className="card">
            <h2>{t("dashboard.adherence")}</h2>
            <p data-testid="dashboard-adherence">
              {t("dashboard.adherenceFigures", {
                percent: oneDecimal(loaded.value.activeAdherence.averageAdherencePercent) ?? none,
                done: loaded.value.activeAdherence.sessionsCompleted,
                expected: loaded.value.activeAdherence.sessionsExpected,
                plans: loaded.value.activeAdherence.activePlans,
              })}
            </p>
          </div>
          <div className="card">
            <h2>{t("dashboard.outcomes")}</h2>
            <Bars
              testId="dashboard-outcomes"
              caption={t("dashboard.outcomesCaption")}
              bars={outcomeBars(loaded.value.planOutcomes, (k) => t(`planStatus.${k}`))}
            />
          </div>
          <div className="card">
            <h2>{t("dashboard.topExercises")}</h2>
            <Bars testId="dashboard-exercises" caption={t("dashboard.prescribedCaption")} bars={prescribedBars(loaded.value.topExercises.mostPrescribed)} />
          </div>
        </>
      )}
    </section>
  );
}
