// The patient's RTM billing records: each data-days window and management month, its codes, figure and status.
import { api, unwrap, type Schemas } from "../api/client";
import { statusLabel, useI18n } from "../i18n";
import { dateTime } from "../logic/format";
import { Failure, Loading } from "./Status";
import { useLoad } from "./useLoad";

type Record = Schemas["BillingRecordReply"];

export function codesText(codes: { code: string; units: number }[], none: string): string {
  return codes.length === 0 ? none : codes.map((c) => (c.units > 1 ? `${c.code} ×${c.units}` : c.code)).join(", ");
}

export function PatientBilling({ patientId, generation }: { patientId: string; generation: number }): React.JSX.Element {
  const { t, language } = useI18n();
  const [list, reload] = useLoad(
    () => unwrap(api.GET("/v1/patients/{patient_id}/billing", { params: { path: { patient_id: patientId } } })),
    [patientId, generation],
  );
  const none = t("common.none");
  const figure = (r: Record): string =>
    r.track === "data_days" ? t("billing.dataDays", { count: r.quantity }) : t("billing.minutes", { count: r.quantity });
  return (
    <section className="card" aria-labelledby="patient-billing-title">
      <h2 id="patient-billing-title">{t("billing.patientTitle")}</h2>
      {list.state === "loading" && <Loading />}
      {list.state === "error" && <Failure failure={list.failure} retry={reload} />}
      {list.state === "ready" &&
        (list.value.records.length === 0 ? (
          <p>{t("billing.none")}</p>
        ) : (
          <div className="scroll">
            <table data-testid="patient-billing">
              <thead>
                <tr>
                  <th scope="col">{t("billing.track")}</th>
                  <th scope="col">{t("billing.period")}</th>
                  <th scope="col">{t("billing.codes")}</th>
                  <th scope="col">{t("billing.quantity")}</th>
                  <th scope="col">{t("patient.status")}</th>
                  <th scope="col">{t("billing.billedAt")}</th>
                </tr>
              </thead>
              <tbody>
                {list.value.records.map((r) => (
                  <tr key={r.recordId} data-record-id={r.recordId}>
                    <td>{statusLabel(t, "track", r.track)}</td>
                    <td>
                      {r.periodStart} – {r.periodEnd}
                    </td>
                    <td>{codesText(r.codes, none)}</td>
                    <td>{figure(r)}</td>
                    <td className="record-status">{statusLabel(t, "billingStatus", r.status)}</td>
                    <td>{dateTime(r.billedAt, language) ?? none}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
