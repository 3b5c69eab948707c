// The clinic admin's billing worklist: filters, pages, checkboxes on ready records, bulk mark-billed and the CSV.
import { useState } from "react";
import { api, ApiFailure, unwrap } from "../api/client";
import { codesText } from "../components/PatientBilling";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { BILLING_STATUSES, NO_FILTERS, RTM_CODES, csvHref, selectable, worklistQuery, type WorklistFilters } from "../logic/worklist";

export function BillingWorklist(): React.JSX.Element {
  const { t } = useI18n();
  const [filters, setFilters] = useState<WorklistFilters>(NO_FILTERS);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const [page, reload] = useLoad(() => unwrap(api.GET("/v1/billing/records", { params: { query: worklistQuery(filters, cursor) } })), [filters, cursor]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [marked, setMarked] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);

  const filter = (change: Partial<WorklistFilters>): void => {
    setFilters((f) => ({ ...f, ...change }));
    setCursors([null]);
    setChosen(new Set());
  };
  const ready = page.state === "ready" ? selectable(page.value.records) : [];
  const picked = ready.filter((id) => chosen.has(id));
  const toggle = (id: string): void =>
    setChosen((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const markBilled = async (): Promise<void> => {
    setSaving(true);
    setFailure(null);
    setMarked(null);
    try {
      const done = await unwrap(api.POST("/v1/billing/records/mark-billed", { body: { recordIds: picked } }));
      setMarked(done.records.length);
      setChosen(new Set());
      reload();
    } catch (error) {
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    } finally {
      setSaving(false);
    }
  };
  return (
    <section aria-labelledby="worklist-title">
      <h1 id="worklist-title">{t("worklist.title")}</h1>
      <div className="filters">
        <label className="field">
          {t("patient.status")}
          <select value={filters.status} onChange={(e) => filter({ status: e.target.value as WorklistFilters["status"] })}>
            <option value="">{t("worklist.any")}</option>
            {BILLING_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(t, "billingStatus", s)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {t("billing.codes")}
          <select value={filters.code} onChange={(e) => filter({ code: e.target.value as WorklistFilters["code"] })}>
            <option value="">{t("worklist.any")}</option>
            {RTM_CODES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {t("worklist.periodFrom")}
          <input type="date" value={filters.periodFrom} onChange={(e) => filter({ periodFrom: e.target.value })} />
        </label>
        <label className="field">
          {t("worklist.periodTo")}
          <input type="date" value={filters.periodTo} onChange={(e) => filter({ periodTo: e.target.value })} />
        </label>
        <a href={csvHref(filters)} download data-testid="worklist-csv">
          {t("worklist.csv")}
        </a>
      </div>
      <div className="bulk">
        <button type="button" disabled={picked.length === 0 || saving} onClick={() => void markBilled()}>
          {t("worklist.markBilled", { count: picked.length })}
        </button>
        {marked !== null && <p role="status">{t("worklist.marked", { count: marked })}</p>}
        {failure !== null && <Failure failure={failure} />}
      </div>
      {page.state === "loading" && <Loading />}
      {page.state === "error" && <Failure failure={page.failure} retry={reload} />}
      {page.state === "ready" && (
        <>
          {page.value.records.length === 0 ? (
            <p>{t("billing.none")}</p>
          ) : (
            <div className="scroll">
              <table data-testid="worklist">
                <thead>
                  <tr>
                    <th scope="col">
                      <label className="check">
                        <input
                          type="checkbox"
                          checked={ready.length > 0 && picked.length === ready.length}
                          disabled={ready.length === 0}
                          onChange={() => setChosen(picked.length === ready.length ? new Set() : new Set(ready))}
                        />
                        <span className="visually-hidden">{t("worklist.selectAll")}</span>
                      </label>
                    </th>
                    <th scope="col">{t("roster.name")}</th>
                    <th scope="col">{t("billing.track")}</th>
                    <th scope="col">{t("billing.period")}</th>
                    <th scope="col">{t("billing.codes")}</th>
                    <th scope="col">{t("billing.quantity")}</th>
                    <th scope="col">{t("patient.status")}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.value.records.map((r) => (
                    <tr key={r.recordId} data-record-id={r.recordId}>
                      <td>
                        {r.status === "ready" && (
                          <input
                            type="checkbox"
                            checked={chosen.has(r.recordId)}
                            onChange={() => toggle(r.recordId)}
                            aria-label={t("worklist.select", { name: r.patientName, start: r.periodStart })}
                          />
                        )}
                      </td>
                      <td>{r.patientName}</td>
                      <td>{statusLabel(t, "track", r.track)}</td>
                      <td>
                        {r.periodStart} – {r.periodEnd}
                      </td>
                      <td>{codesText(r.codes, t("common.none"))}</td>
                      <td>{r.quantity}</td>
                      <td className="record-status">{statusLabel(t, "billingStatus", r.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pager" aria-label={t("worklist.pages")}>
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
      )}
    </section>
  );
}
