// Management time for RTM: the minutes therapists logged for the patient, and a form to log more.
import { useState, type FormEvent } from "react";
import { api, ApiFailure, unwrap } from "../api/client";
import { useI18n, type MessageKey } from "../i18n";
import { parseTimeEntry, ACTIVITY_TYPES } from "../logic/timeEntry";
import { Failure, Loading } from "./Status";
import { useLoad } from "./useLoad";

export function TimeEntries({ patientId, today, onLogged }: { patientId: string; today: string; onLogged: () => void }): React.JSX.Element {
  const { t } = useI18n();
  const [list, reload] = useLoad(
    () => unwrap(api.GET("/v1/patients/{patient_id}/time-entries", { params: { path: { patient_id: patientId } } })),
    [patientId],
  );
  const [minutes, setMinutes] = useState("");
  const [activityType, setActivityType] = useState<string>(ACTIVITY_TYPES[0]);
  const [interactive, setInteractive] = useState(false);
  const [occurredOn, setOccurredOn] = useState(today);
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSaved(false);
    setFailure(null);
    const body = parseTimeEntry({ minutes, activityType, interactive, occurredOn, note });
    if (body === null) {
      setProblem(t("time.invalid"));
      return; // nothing is sent: the form says what to fix
    }
    setProblem(null);
    setSaving(true);
    try {
      await unwrap(api.POST("/v1/patients/{patient_id}/time-entries", { params: { path: { patient_id: patientId } }, body }));
      setMinutes("");
      setNote("");
      setSaved(true);
      reload();
      onLogged(); // the header's RTM minutes and the billing records follow the new entry
    } catch (error) {
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" aria-labelledby="time-title">
      <h2 id="time-title">{t("time.title")}</h2>
      <form onSubmit={(event) => void submit(event)} noValidate className="time-form">
        <label className="field">
          {t("time.minutes")}
          <input type="number" inputMode="numeric" min={1} max={1440} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
        </label>
        <label className="field">
          {t("time.activity")}
          <select value={activityType} onChange={(e) => setActivityType(e.target.value)}>
            {ACTIVITY_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`activity.${type}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {t("time.day")}
          <input type="date" value={occurredOn} max={today} onChange={(e) => setOccurredOn(e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={interactive} onChange={(e) => setInteractive(e.target.checked)} />
          {t("time.interactive")}
        </label>
        <label className="field">
          {t("time.note")}
          <input type="text" maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit" disabled={saving}>
          {saving ? t("today.saving") : t("time.log")}
        </button>
        {problem !== null && (
          <p role="alert" className="alert">
            {problem}
          </p>
        )}
        {failure !== null && <Failure failure={failure} />}
        {saved && <p role="status">{t("time.saved")}</p>}
      </form>
      {list.state === "loading" && <Loading />}
      {list.state === "error" && <Failure failure={list.failure} retry={reload} />}
      {list.state === "ready" &&
        (list.value.entries.length === 0 ? (
          <p>{t("time.none")}</p>
        ) : (
          <div className="scroll">
            <table data-testid="time-entries">
              <thead>
                <tr>
                  <th scope="col">{t("time.day")}</th>
                  <th scope="col">{t("time.minutes")}</th>
                  <th scope="col">{t("time.activity")}</th>
                  <th scope="col">{t("time.interactiveShort")}</th>
                  <th scope="col">{t("time.note")}</th>
                </tr>
              </thead>
              <tbody>
                {list.value.entries.map((e) => (
                  <tr key={e.entryId} data-entry-id={e.entryId}>
                    <td>{e.occurredOn}</td>
                    <td className="minutes-logged">{e.minutes}</td>
                    <td>{ACTIVITY_TYPES.includes(e.activityType as (typeof ACTIVITY_TYPES)[number]) ? t(`activity.${e.activityType}` as MessageKey) : e.activityType}</td>
                    <td>{e.interactive ? t("common.yes") : t("common.no")}</td>
                    <td>{e.note ?? t("common.none")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
