// Sign-in: through the clinic's OpenID Connect provider when the gateway has one, else the one-time link `momentum login` prints.
import { api, unwrap } from "../api/client";
import { useLoad } from "../components/useLoad";
import { useI18n } from "../i18n";

// A full-page navigation, not a fetch: the gateway redirects to the provider and back, and sets the cookie itself.
const CLINIC_SIGN_IN = "/v1/session/oidc/start";

export function SignIn({ signedOut }: { signedOut: boolean }): React.JSX.Element {
  const { t } = useI18n();
  const [options] = useLoad(() => unwrap(api.GET("/v1/session/config")), []);
  // Until the gateway answers (or if it cannot), the local link is what is explained: it never hides a way in.
  const clinic = options.state === "ready" && options.value.clinicProvider;
  const links = options.state !== "ready" || options.value.signInLinks;
  return (
    <main className="sign-in" id="main">
      <h1>{t("signIn.title")}</h1>
      {signedOut && <p role="status">{t("signIn.signedOut")}</p>}
      {clinic && (
        <p>
          <a className="button primary" href={CLINIC_SIGN_IN}>
            {t("signIn.clinic")}
          </a>
        </p>
      )}
      {clinic && links && <p>{t("signIn.orLink")}</p>}
      {links && (
        <>
          <p>{t("signIn.how")}</p>
          <pre>
            <code>momentum login --tenant TENANT --user USER</code>
          </pre>
          <p>{t("signIn.once")}</p>
        </>
      )}
    </main>
  );
}
