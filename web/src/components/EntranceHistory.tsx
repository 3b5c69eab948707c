// A patient's app visits as the entrances service tracked them: each day's status, translated from its code.
import { api, unwrap } from "../api/client";
import { statusLabel, useI18n } from "../i18n";
import { Failure, Loading } from "./Status";
import { useLoad } from "./useLoad";

export function EntranceHistory({ patientId }: { patientId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(
    () => unwrap(api.GET("/v2/doctor/patients/{patient_id}/app-entrances", { params: { path: { patient_id: patientId } } })),
    [patientId],
  );
  return (
    <section className="card" aria-labelledby="entrances-title">
      <h2 id="entrances-title">{t("entrances.title")}</h2>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" &&
        (loaded.value.entrances.length === 0 ? (
          <p>{t("entrances.none")}</p>
        ) : (
          <div className="scroll">
            <table data-testid="app-entrances">
              <thead>
                <tr>
                  <th scope="col">{t("patient.date")}</th>
                  <th scope="col">{t("patient.status")}</th>
                  <th scope="col">{t("entrances.opens")}</th>
                </tr>
              </thead>
              <tbody>
                {loaded.value.entrances.map((e) => (
                  <tr key={e.entranceId} data-entrance-id={e.entranceId}>
                    <td>{e.localDate}</td>
                    <td>{statusLabel(t, "entranceStatus", e.status)}</td>
                    <td>{e.entriesCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
