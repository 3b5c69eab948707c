// The clinic admin's people: therapists, patients and admins from /v1/users, a form to add one with a role, and
// deactivating (or reactivating) someone, which stops their sign-in.
import { useState, type FormEvent } from "react";
import { ApiFailure, api, unwrap, type Schemas } from "../api/client";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { messagesByField } from "../logic/planForm";
import { ROLE_ORDER, usersByRole, type Role } from "../logic/users";

type User = Schemas["ClinicUserReply"];

export function Users(): React.JSX.Element {
  const { t } = useI18n();
  const [users, reload] = useLoad(() => unwrap(api.GET("/v1/users")), []);
  // The signed-in admin gets no deactivate button of their own: the API refuses it (another admin must).
  const [me] = useLoad(() => unwrap(api.GET("/v2/user/me")), []);
  const myId = me.state === "ready" ? me.value.userId : null;
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const setActive = async (user: User, active: boolean): Promise<void> => {
    setBusy(user.userId);
    setNotice(null);
    setFailure(null);
    try {
      const changed = await unwrap(api.PATCH("/v1/users/{user_id}", { params: { path: { user_id: user.userId } }, body: { active } }));
      setNotice(t(changed.active ? "users.reactivated" : "users.deactivated", { name: changed.displayName }));
      reload();
    } catch (error) {
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t("users.title")}</h1>
      <AddUser
        onAdded={(user) => {
          setNotice(t("users.added", { name: user.displayName, role: statusLabel(t, "role", user.role) }));
          reload();
        }}
      />
      <p role="status" aria-live="polite">
        {notice ?? ""}
      </p>
      {failure && <Failure failure={failure} />}
      {users.state === "loading" && <Loading />}
      {users.state === "error" && <Failure failure={users.failure} retry={reload} />}
      {users.state === "ready" &&
        ROLE_ORDER.map((role) => {
          const people = usersByRole(users.value.users)[role];
          return (
            <section key={role} className="card" aria-labelledby={`users-${role}`}>
              <h2 id={`users-${role}`}>{t(`users.heading.${role}`, { count: people.length })}</h2>
              {people.length === 0 ? (
                <p>{t("users.none")}</p>
              ) : (
                <div className="scroll">
                  <table data-testid={`users-${role}`}>
                    <thead>
                      <tr>
                        <th scope="col">{t("roster.name")}</th>
                        <th scope="col">{t("roster.timezone")}</th>
                        <th scope="col">{t("users.access")}</th>
                        <th scope="col">{t("editor.actions")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {people.map((u) => (
                        <tr key={u.userId} data-user-id={u.userId}>
                          <td>{u.displayName}</td>
                          <td>{u.timezone ?? t("common.none")}</td>
                          <td className="user-access">{u.active ? t("users.active") : t("users.inactive")}</td>
                          <td>
                            {u.userId === myId ? (
                              <span className="help">{t("users.you")}</span>
                            ) : (
                              <button type="button" disabled={busy !== null} onClick={() => void setActive(u, !u.active)}>
                                {u.active ? t("users.deactivate", { name: u.displayName }) : t("users.reactivate", { name: u.displayName })}
                              </button>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })}
      <p className="help">{t("users.cacheHelp")}</p>
    </section>
  );
}

function AddUser({ onAdded }: { onAdded: (user: Schemas["UserReply"]) => void }): React.JSX.Element {
  const { t } = useI18n();
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("therapist");
  const [timezone, setTimezone] = useState("");
  const [problems, setProblems] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFailure(null);
    setSaving(true);
    try {
      const user = await unwrap(api.POST("/v1/users", { body: { role, displayName, ...(timezone.trim() ? { timezone: timezone.trim() } : {}) } }));
      setProblems({});
      setDisplayName("");
      setTimezone("");
      onAdded(user);
    } catch (error) {
      const refused = error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error));
      setProblems(messagesByField(refused.fields));
      setFailure(refused);
    } finally {
      setSaving(false);
    }
  };
  const errorsOf = (name: string): React.JSX.Element | null =>
    problems[name] ? (
      <span id={`add-user-${name}-error`} className="field-error">
        {problems[name].join("; ")}
      </span>
    ) : null;

  return (
    <form className="card add-user" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="add-user-title">
      <h2 id="add-user-title">{t("users.add")}</h2>
      <div className="field">
        <label htmlFor="add-user-name">{t("users.name")}</label>
        <input
          id="add-user-name"
          type="text"
          maxLength={200}
          value={displayName}
          aria-invalid={Boolean(problems.displayName)}
          aria-describedby={problems.displayName ? "add-user-displayName-error" : undefined}
          onChange={(e) => setDisplayName(e.target.value)}
        />
        {errorsOf("displayName")}
      </div>
      <div className="field">
        <label htmlFor="add-user-role">{t("users.role")}</label>
        <select id="add-user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLE_ORDER.map((r) => (
            <option key={r} value={r}>
              {statusLabel(t, "role", r)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="add-user-timezone">{t("users.timezone")}</label>
        <input
          id="add-user-timezone"
          type="text"
          maxLength={64}
          placeholder="Europe/Madrid"
          value={timezone}
          aria-invalid={Boolean(problems.timezone)}
          aria-describedby={problems.timezone ? "add-user-timezone-error" : undefined}
          onChange={(e) => setTimezone(e.target.value)}
        />
        {errorsOf("timezone")}
      </div>
      <button type="submit" disabled={saving}>
        {saving ? t("today.saving") : t("users.create")}
      </button>
      {failure && !(failure.status === 422 && failure.fields.length > 0) && <Failure failure={failure} />}
    </form>
  );
}
