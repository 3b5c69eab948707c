// A patient's exercise sessions, newest first, a page at a time: status, reps, form score, and a link to each.
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { statusLabel, useI18n } from "../i18n";
import { dateTime, oneDecimal } from "../logic/format";
import { Link } from "../router";
import { Failure, Loading } from "./Status";
import { useLoad } from "./useLoad";

export function ExerciseSessionList({ patientId, exerciseNames }: { patientId: string; exerciseNames: Map<string, string> }): React.JSX.Element {
  const { t, language } = useI18n();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const [page, reload] = useLoad(
    () =>
      unwrap(
        api.GET("/v1/patients/{patient_id}/exercise-sessions", {
          params: { path: { patient_id: patientId }, query: cursor ? { limit: 20, cursor } : { limit: 20 } },
        }),
      ),
    [patientId, cursor],
  );
  const none = t("common.none");
  return (
    <section className="card" aria-labelledby="exercise-sessions-title">
      <h2 id="exercise-sessions-title">{t("sessions.title")}</h2>
      {page.state === "loading" && <Loading />}
      {page.state === "error" && <Failure failure={page.failure} retry={reload} />}
      {page.state === "ready" &&
        (page.value.sessions.length === 0 && cursors.length === 1 ? (
          <p>{t("sessions.none")}</p>
        ) : (
          <>
            <div className="scroll">
              <table data-testid="exercise-sessions">
                <thead>
                  <tr>
                    <th scope="col">{t("sessions.started")}</th>
                    <th scope="col">{t("sessions.exercise")}</th>
                    <th scope="col">{t("patient.status")}</th>
                    <th scope="col">{t("sessions.reps")}</th>
                    <th scope="col">{t("sessions.formScore")}</th>
                    <th scope="col">{t("sessions.replay")}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.value.sessions.map((s) => (
                    <tr key={s.sessionId} data-session-id={s.sessionId}>
                      <td>
                        <Link href={`/patients/${patientId}/exercise-sessions/${s.sessionId}`}>{dateTime(s.startedAt, language)}</Link>
                      </td>
                      <td>{(s.exerciseId && exerciseNames.get(s.exerciseId)) ?? none}</td>
                      <td>
                        {statusLabel(t, "sessionStatus", s.status)}
                        {s.incompleteReason && <span className="badge alert">{statusLabel(t, "incompleteReason", s.incompleteReason)}</span>}
                      </td>
                      <td>{s.detectedRepCount}</td>
                      <td>{oneDecimal(s.totals.averageFormScore) ?? none}</td>
                      <td>{s.replay.available ? t("common.yes") : t("common.no")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label={t("sessions.pages")}>
              <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                {t("roster.previous")}
              </button>
              <button
                type="button"
                disabled={!page.value.nextCursor}
                onClick={() => page.value.nextCursor && setCursors((c) => [...c, page.value.nextCursor ?? null])}
              >
                {t("roster.next")}
              </button>
            </nav>
          </>
        ))}
    </section>
  );
}
