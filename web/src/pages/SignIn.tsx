// Sign-in: locally through the one-time link `momentum login` prints (OpenID Connect comes later).
import { useI18n } from "../i18n";

export function SignIn({ signedOut }: { signedOut: boolean }): React.JSX.Element {
  const { t } = useI18n();
  return (
    <main className="sign-in" id="main">
      <h1>{t("signIn.title")}</h1>
      {signedOut && <p role="status">{t("signIn.signedOut")}</p>}
      <p>{t("signIn.how")}</p>
      <pre>
        <code>momentum login --tenant TENANT --user USER</code>
      </pre>
      <p>{t("signIn.once")}</p>
    </main>
  );
}
