// The clinic admin's feature flags: appEntranceTracking and rtmBilling, switched through /v1/admin/feature-flags.
import { useState } from "react";
import { ApiFailure, api, unwrap } from "../api/client";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { Link } from "../router";

const FLAGS = ["appEntranceTracking", "rtmBilling"] as const;

export function FeatureFlags(): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(() => unwrap(api.GET("/v1/admin/feature-flags")), []);
  const [flags, setFlags] = useState<Record<string, boolean> | null>(null);
  const [saving, setSaving] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "error") return <Failure failure={loaded.failure} retry={reload} />;
  const current = flags ?? loaded.value.flags;

  const toggle = async (flag: string, enabled: boolean): Promise<void> => {
    // The switch moves at once; a refused change puts it back and says why.
    const before = current;
    setFlags({ ...current, [flag]: enabled });
    setSaving(flag);
    setSaved(false);
    setFailure(null);
    try {
      const reply = await unwrap(api.PUT("/v1/admin/feature-flags/{flag}", { params: { path: { flag } }, body: { enabled } }));
      setFlags(reply.flags);
      setSaved(true);
    } catch (error) {
      setFlags(before);
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    } finally {
      setSaving(null);
    }
  };

  return (
    <section aria-labelledby="flags-title">
      <h1 id="flags-title">{t("flags.title")}</h1>
      <fieldset className="card flags">
        <legend className="visually-hidden">{t("flags.title")}</legend>
        {FLAGS.map((flag) => (
          <div key={flag} className="flag">
            <input
              id={`flag-${flag}`}
              type="checkbox"
              role="switch"
              checked={current[flag] ?? false}
              disabled={saving !== null}
              aria-describedby={`flag-${flag}-help`}
              onChange={(event) => void toggle(flag, event.target.checked)}
            />
            <label htmlFor={`flag-${flag}`}>{t(`flags.${flag}`)}</label>
            <p id={`flag-${flag}-help`} className="help">
              {t(`flags.${flag}.help`)}
            </p>
          </div>
        ))}
      </fieldset>
      <p>
        {t("flags.policy", { policy: statusLabel(t, "policy", loaded.value.rtmQualifyingPolicy ?? "activity_days") })}{" "}
        <Link href="/admin/rtm-policy">{t("flags.changePolicy")}</Link>
      </p>
      <p role="status" aria-live="polite">
        {saved ? t("flags.saved") : ""}
      </p>
      {failure && <Failure failure={failure} />}
    </section>
  );
}
