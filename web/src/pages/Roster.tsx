// The therapist's roster: the clinic's patients from GET /v1/patients, searchable by name.
import { useMemo, useState } from "react";
import { api, unwrap } from "../api/client";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { useI18n } from "../i18n";
import { Link } from "../router";

export function Roster(): React.JSX.Element {
  const { t } = useI18n();
  const [query, setQuery] = useState("");
  const [loaded, reload] = useLoad(() => unwrap(api.GET("/v1/patients")), []);
  const patients = useMemo(() => {
    if (loaded.state !== "ready") return [];
    const needle = query.trim().toLocaleLowerCase();
    return loaded.value.patients
      .filter((p) => p.displayName.toLocaleLowerCase().includes(needle))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }, [loaded, query]);
  return (
    <section aria-labelledby="roster-title">
      <h1 id="roster-title">{t("roster.title")}</h1>
      <label className="field">
        {t("roster.search")}
        <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
      </label>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" && (
        <>
          <p>{t("roster.count", { count: patients.length })}</p>
          {patients.length === 0 ? (
            <p>{t("roster.empty")}</p>
          ) : (
            <table className="roster">
              <thead>
                <tr>
                  <th scope="col">{t("roster.name")}</th>
                  <th scope="col">{t("roster.timezone")}</th>
                </tr>
              </thead>
              <tbody>
                {patients.map((p) => (
                  <tr key={p.userId}>
                    <td>
                      <Link href={`/patients/${p.userId}`}>{p.displayName}</Link>
                    </td>
                    <td>{p.effectiveTimezone}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
