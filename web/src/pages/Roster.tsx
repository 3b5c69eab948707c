// The therapist's roster: GET /v1/patients a page at a time, searched, filtered and sorted by the server.
import { useEffect, useState } from "react";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { formatPercent, rosterQuery, type RosterFilters } from "../logic/roster";
import { Link } from "../router";

type Row = components["schemas"]["RosterRowReply"];

export function Roster(): React.JSX.Element {
  const { t } = useI18n();
  const [typed, setTyped] = useState("");
  const [filters, setFilters] = useState<RosterFilters>({ search: "", assignedToMe: false, hasAlerts: false });
  // Cursors of the pages seen so far: "previous" goes back without the server keeping any state.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    // Search as the therapist types, a quarter second after the last key: one request, not one per key.
    const timer = setTimeout(() => {
      setFilters((f) => (f.search === typed.trim() ? f : { ...f, search: typed.trim() }));
      setCursors([null]);
    }, 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const [loaded, reload] = useLoad(
    () => unwrap(api.GET("/v1/patients", { params: { query: rosterQuery(filters, cursor) } })),
    [filters, cursor],
  );
  const toggle = (name: "assignedToMe" | "hasAlerts") => {
    setFilters((f) => ({ ...f, [name]: !f[name] }));
    setCursors([null]);
  };
  return (
    <section aria-labelledby="roster-title">
      <h1 id="roster-title">{t("roster.title")}</h1>
      <div className="filters">
        <label className="field">
          {t("roster.search")}
          <input type="search" value={typed} onChange={(event) => setTyped(event.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.assignedToMe} onChange={() => toggle("assignedToMe")} />
          {t("roster.assignedToMe")}
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.hasAlerts} onChange={() => toggle("hasAlerts")} />
          {t("roster.hasAlerts")}
        </label>
      </div>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" && (
        <>
          {loaded.value.patients.length === 0 ? (
            <p>{t("roster.empty")}</p>
          ) : (
            <table className="roster">
              <thead>
                <tr>
                  <th scope="col">{t("roster.name")}</th>
                  <th scope="col">{t("roster.therapist")}</th>
                  <th scope="col">{t("roster.plan")}</th>
                  <th scope="col">{t("roster.adherence")}</th>
                  <th scope="col">{t("roster.lastActivity")}</th>
                  <th scope="col">{t("roster.streak")}</th>
                  <th scope="col">{t("roster.rtm")}</th>
                  <th scope="col">{t("roster.alerts")}</th>
                </tr>
              </thead>
              <tbody>
                {loaded.value.patients.map((p) => (
                  <RosterLine key={p.patientId} row={p} />
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label={t("roster.pages")}>
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {t("roster.previous")}
            </button>
            <button
              type="button"
              disabled={!loaded.value.nextCursor}
              onClick={() => loaded.value.nextCursor && setCursors((c) => [...c, loaded.value.nextCursor ?? null])}
            >
              {t("roster.next")}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function RosterLine({ row }: { row: Row }): React.JSX.Element {
  const { t } = useI18n();
  const plan = row.currentPlan;
  return (
    <tr>
      <td>
        <Link href={`/patients/${row.patientId}`}>{row.displayName}</Link>
      </td>
      <td>{row.therapist?.displayName ?? t("common.none")}</td>
      <td>
        {plan
          ? t("roster.planSessions", { done: plan.sessionsCompleted, planned: plan.sessionsPlanned })
          : t("common.none")}
      </td>
      <td>
        {formatPercent(row.adherence7d, t("common.none"))} / {formatPercent(row.adherence30d, t("common.none"))}
      </td>
      <td>{row.lastActivityAt ? new Date(row.lastActivityAt).toLocaleDateString() : t("common.none")}</td>
      <td>{row.currentDailyStreak ?? t("common.none")}</td>
      <td>{statusLabel(t, "rtmStatus", row.rtm.status)}</td>
      <td>
        {row.alerts.length === 0
          ? t("common.none")
          : row.alerts.map((a) => (
              <span key={a.kind} className="badge alert" title={a.detail}>
                {statusLabel(t, "alert", a.kind)}
              </span>
            ))}
      </td>
    </tr>
  );
}
