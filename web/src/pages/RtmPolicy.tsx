// The clinic's RTM billing policy: what makes a data day (activity or access), read from /v1/admin/feature-flags and
// changed through /v1/admin/rtm-policy, shown with the rtmBilling flag it only matters under.
import { useState, type FormEvent } from "react";
import { ApiFailure, api, unwrap, type Schemas } from "../api/client";
import { Failure, Loading } from "../components/Status";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { Link } from "../router";

type Policy = Schemas["FeatureFlagsReply"]["rtmQualifyingPolicy"];
const POLICIES: readonly Policy[] = ["activity_days", "access_days"];

export function RtmPolicy(): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(() => unwrap(api.GET("/v1/admin/feature-flags")), []);
  const [chosen, setChosen] = useState<Policy | null>(null);
  const [stored, setStored] = useState<Policy | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "error") return <Failure failure={loaded.failure} retry={reload} />;
  const current = stored ?? loaded.value.rtmQualifyingPolicy ?? "activity_days";
  const selected = chosen ?? current;
  const billing = loaded.value.flags.rtmBilling ?? false;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    setFailure(null);
    try {
      const reply = await unwrap(api.PUT("/v1/admin/rtm-policy", { body: { policy: selected } }));
      setStored(reply.rtmQualifyingPolicy ?? selected);
      setChosen(null);
      setSaved(true);
    } catch (error) {
      setFailure(error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby="rtm-title">
      <h1 id="rtm-title">{t("rtm.title")}</h1>
      <p className={`card rtm-flag ${billing ? "on" : "off"}`} data-testid="rtm-billing-flag">
        {billing ? t("rtm.billingOn") : t("rtm.billingOff")} <Link href="/">{t("rtm.flagsLink")}</Link>
      </p>
      <p data-testid="rtm-current">{t("rtm.current", { policy: statusLabel(t, "policy", current) })}</p>
      <form className="card" onSubmit={(event) => void submit(event)}>
        <fieldset className="policies">
          <legend>{t("rtm.question")}</legend>
          {POLICIES.map((policy) => (
            <div key={policy} className="policy">
              <input
                id={`policy-${policy}`}
                type="radio"
                name="policy"
                value={policy}
                checked={selected === policy}
                aria-describedby={`policy-${policy}-help`}
                onChange={() => {
                  setSaved(false);
                  setChosen(policy);
                }}
              />
              <label htmlFor={`policy-${policy}`}>{t(`rtm.policy.${policy}`)}</label>
              <p id={`policy-${policy}-help`} className="help">
                {t(`rtm.policy.${policy}.help`)}
              </p>
            </div>
          ))}
        </fieldset>
        <button type="submit" disabled={saving || selected === current}>
          {saving ? t("today.saving") : t("rtm.save")}
        </button>
        <p role="status" aria-live="polite">
          {saved ? t("rtm.saved") : ""}
        </p>
        {failure && <Failure failure={failure} />}
      </form>
      <section className="card" aria-labelledby="rtm-rules">
        <h2 id="rtm-rules">{t("rtm.rules")}</h2>
        <ul>
          <li>{t("rtm.rule.window")}</li>
          <li>{t("rtm.rule.supply")}</li>
          <li>{t("rtm.rule.management")}</li>
          <li>{t("rtm.rule.recount")}</li>
        </ul>
      </section>
    </section>
  );
}
