// The RTM billing board: each patient's engagement this window, grouped never logged in / needs engagement / on track.
import { api, unwrap } from "../api/client";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";

const COLUMNS = ["never_logged_in", "needs_engagement", "on_track"] as const;

export function BillingBoard(): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(() => unwrap(api.GET("/v1/billing/progress-board")), []);
  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">{t("board.title")}</h1>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" && (
        <div className="board">
          {COLUMNS.map((column) => {
            const patients = loaded.value.patients.filter((p) => p.status === column);
            return (
              <section key={column} className={`card column ${column}`} aria-labelledby={`col-${column}`}>
                <h2 id={`col-${column}`}>
                  {statusLabel(t, "board", column)} ({patients.length})
                </h2>
                {patients.length === 0 ? (
                  <p>{t("board.empty")}</p>
                ) : (
                  <ul>
                    {patients.map((p) => (
                      <li key={p.patientId}>
                        <strong>{p.displayName}</strong>
                        <br />
                        {t("board.days", { done: p.dataDays, needed: p.daysNeeded, remaining: p.daysRemaining })}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}
