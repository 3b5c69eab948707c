// A patient's treatment plans for their therapist: the list, a new plan from the catalogue, editing the active one,
// and ending it (status completed) — all through the plan routes.
import { useState } from "react";
import { ApiFailure, api, unwrap } from "../api/client";
import { PlanForm } from "../components/PlanForm";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { localToday } from "../logic/format";
import { draftFromPlan, emptyDraft } from "../logic/planForm";
import { Link } from "../router";

type Editing = { kind: "none" } | { kind: "new" } | { kind: "edit"; planId: string };

export function PlanEditor({ patientId }: { patientId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [summary, reloadSummary] = useLoad(
    () => unwrap(api.GET("/v1/patients/{patient_id}/summary", { params: { path: { patient_id: patientId } } })),
    [patientId],
  );
  const [plans, reloadPlans] = useLoad(
    () => unwrap(api.GET("/v1/patients/{patient_id}/plans", { params: { path: { patient_id: patientId } } })),
    [patientId],
  );
  const [catalogue, reloadCatalogue] = useLoad(() => unwrap(api.GET("/v1/exercises")), []);
  const [editing, setEditing] = useState<Editing>({ kind: "none" });
  const [notice, setNotice] = useState<string | null>(null);

  const saved = (message: string): void => {
    setEditing({ kind: "none" });
    setNotice(message);
    reloadPlans();
  };

  if (summary.state === "loading") return <Loading />;
  if (summary.state === "error") return <Failure failure={summary.failure} retry={reloadSummary} />;
  const name = summary.value.displayName;
  const active = plans.state === "ready" ? plans.value.plans.find((p) => p.status === "active") : undefined;
  return (
    <div className="plan-editor">
      <p>
        <Link href={`/patients/${patientId}`}>{t("editor.back", { name })}</Link>
      </p>
      <h1>{t("editor.title", { name })}</h1>
      <p role="status" aria-live="polite">
        {notice ?? ""}
      </p>
      <section className="card" aria-labelledby="plans-title">
        <h2 id="plans-title">{t("editor.plans")}</h2>
        {plans.state === "loading" && <Loading />}
        {plans.state === "error" && <Failure failure={plans.failure} retry={reloadPlans} />}
        {plans.state === "ready" &&
          (plans.value.plans.length === 0 ? (
            <p>{t("editor.noPlans")}</p>
          ) : (
            <div className="scroll">
              <table data-testid="patient-plans">
                <thead>
                  <tr>
                    <th scope="col">{t("editor.planTitle")}</th>
                    <th scope="col">{t("patient.status")}</th>
                    <th scope="col">{t("editor.dates")}</th>
                    <th scope="col">{t("editor.frequency")}</th>
                    <th scope="col">{t("editor.sessions")}</th>
                    <th scope="col">{t("editor.actions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {plans.value.plans.map((p) => (
                    <tr key={p.planId} data-plan-id={p.planId}>
                      <td>{p.title}</td>
                      <td className="plan-status">{statusLabel(t, "planStatus", p.status)}</td>
                      <td>
                        {p.startDate} – {p.endDate}
                      </td>
                      <td>{p.frequencyPerWeek}</td>
                      <td>
                        {p.sessionsCompleted}/{p.sessionsPlanned}
                      </td>
                      <td>
                        {p.status === "active" && (
                          <>
                            <button type="button" onClick={() => { setNotice(null); setEditing({ kind: "edit", planId: p.planId }); }}>
                              {t("editor.edit", { title: p.title })}
                            </button>
                            <EndPlan planId={p.planId} title={p.title} onEnded={() => saved(t("editor.ended", { title: p.title }))} />
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        {editing.kind === "none" && plans.state === "ready" && (
          <p>
            {active ? <span className="help">{t("editor.activeExists")} </span> : null}
            <button type="button" onClick={() => { setNotice(null); setEditing({ kind: "new" }); }}>
              {t("editor.new")}
            </button>
          </p>
        )}
      </section>
      {editing.kind !== "none" && catalogue.state === "loading" && <Loading />}
      {editing.kind !== "none" && catalogue.state === "error" && <Failure failure={catalogue.failure} retry={reloadCatalogue} />}
      {editing.kind === "new" && catalogue.state === "ready" && (
        <PlanForm
          patientId={patientId}
          initial={emptyDraft(localToday(summary.value.timezone))}
          catalogue={catalogue.value}
          onSaved={(plan) => saved(t("editor.created", { title: plan.title }))}
          onCancel={() => setEditing({ kind: "none" })}
        />
      )}
      {editing.kind === "edit" && catalogue.state === "ready" && (
        <EditPlan
          key={editing.planId}
          patientId={patientId}
          planId={editing.planId}
          catalogue={catalogue.value}
          onSaved={(title) => saved(t("editor.savedChanges", { title }))}
          onCancel={() => setEditing({ kind: "none" })}
        />
      )}
    </div>
  );
}

function EditPlan(props: {
  patientId: string;
  planId: string;
  catalogue: Parameters<typeof PlanForm>[0]["catalogue"];
  onSaved: (title: string) => void;
  onCancel: () => void;
}): React.JSX.Element {
  const [plan, reload] = useLoad(
    () => unwrap(api.GET("/v1/patient-treatment-plans/{plan_id}", { params: { path: { plan_id: props.planId } } })),
    [props.planId],
  );
  if (plan.state === "loading") return <Loading />;
  if (plan.state === "error") return <Failure failure={plan.failure} retry={reload} />;
  return (
    <PlanForm
      patientId={props.patientId}
      planId={props.planId}
      initial={draftFromPlan(plan.value)}
      catalogue={props.catalogue}
      onSaved={(saved) => props.onSaved(saved.title)}
      onCancel={props.onCancel}
    />
  );
}

/** Ending asks once more: the plan's open sessions stop counting and a completed plan cannot be reopened. */
function EndPlan({ planId, title, onEnded }: { planId: string; title: string; onEnded: () => void }): React.JSX.Element {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const end = async (): Promise<void> => {
    setFailure(null);
    try {
      await unwrap(api.PATCH("/v1/patient-treatment-plans/{plan_id}", { params: { path: { plan_id: planId } }, body: { status: "completed" } }));
      onEnded();
    } catch (error) {
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    }
  };
  return (
    <>
      {asking ? (
        <>
          <button type="button" className="danger" onClick={() => void end()}>
            {t("editor.confirmEnd", { title })}
          </button>
          <button type="button" onClick={() => setAsking(false)}>
            {t("editor.keep")}
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          {t("editor.end", { title })}
        </button>
      )}
      {failure && <Failure failure={failure} />}
    </>
  );
}
