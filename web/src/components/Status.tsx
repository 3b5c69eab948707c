// Loading and error states, the same on every screen: 503 says a service is down, anything else names the problem.
import type { ApiFailure } from "../api/client";
import { useI18n } from "../i18n";

export function Loading(): React.JSX.Element {
  const { t } = useI18n();
  return (
    <p role="status" aria-live="polite">
      {t("common.loading")}
    </p>
  );
}

export function Failure({ failure, retry }: { failure: ApiFailure; retry?: () => void }): React.JSX.Element {
  const { t } = useI18n();
  const text = failure.status === 503 || failure.status === 0 ? t("common.unavailable") : t("common.error", { detail: failure.message || failure.code });
  return (
    <div role="alert" className="alert">
      <p>{text}</p>
      {failure.fields.length > 0 && (
        <ul>
          {failure.fields.map((f) => (
            <li key={`${f.field}:${f.message}`}>
              {f.field}: {f.message}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" onClick={retry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}
