// Who is signed in decides the shell: therapist (roster, patient, plan editor and session pages), clinic admin (flags, RTM policy,
// users, billing board, worklist, dashboard), patient (today).
import { Suspense, lazy, useEffect, useMemo, useState } from "react";
import { api, signOut as endSession, unwrap } from "./api/client";
import { Failure, Loading } from "./components/Status";
import { useLoad } from "./components/useLoad";
import { I18nContext, initialLanguage, translator, useI18n, type Language } from "./i18n";
import { Roster } from "./pages/Roster";
import { SignIn } from "./pages/SignIn";
import { Link, match, navigate, usePath } from "./router";

// The roster is the therapist's first screen and comes with the shell; every other screen is its own chunk, loaded
// when it is first opened, so the roster is interactive without parsing the charts, the replay decoder or admin pages.
const PatientPage = lazy(() => import("./pages/PatientPage").then((m) => ({ default: m.PatientPage })));
const ExerciseSessionPage = lazy(() => import("./pages/ExerciseSessionPage").then((m) => ({ default: m.ExerciseSessionPage })));
const BillingBoard = lazy(() => import("./pages/BillingBoard").then((m) => ({ default: m.BillingBoard })));
const BillingWorklist = lazy(() => import("./pages/BillingWorklist").then((m) => ({ default: m.BillingWorklist })));
const Dashboard = lazy(() => import("./pages/Dashboard").then((m) => ({ default: m.Dashboard })));
const FeatureFlags = lazy(() => import("./pages/FeatureFlags").then((m) => ({ default: m.FeatureFlags })));
const Today = lazy(() => import("./pages/Today").then((m) => ({ default: m.Today })));
const PlanEditor = lazy(() => import("./pages/PlanEditor").then((m) => ({ default: m.PlanEditor })));
const RtmPolicy = lazy(() => import("./pages/RtmPolicy").then((m) => ({ default: m.RtmPolicy })));
const Users = lazy(() => import("./pages/Users").then((m) => ({ default: m.Users })));

const LANGUAGE_KEY = "momentum.language"; // only the language preference is stored; never a token

export function App(): React.JSX.Element {
  const [language, setLanguageState] = useState<Language>(() =>
    initialLanguage(window.localStorage.getItem(LANGUAGE_KEY), window.navigator.language),
  );
  const i18n = useMemo(
    () => ({
      t: translator(language),
      language,
      setLanguage: (next: Language) => {
        window.localStorage.setItem(LANGUAGE_KEY, next);
        setLanguageState(next);
      },
    }),
    [language],
  );
  useEffect(() => {
    document.documentElement.lang = language; // screen readers pronounce the page in its language
  }, [language]);
  return (
    <I18nContext.Provider value={i18n}>
      <Session />
    </I18nContext.Provider>
  );
}

function Session(): React.JSX.Element {
  const [signedOut, setSignedOut] = useState(false);
  const [session, reload] = useLoad(() => unwrap(api.GET("/v1/session")), [signedOut]);
  if (session.state === "loading") return <Loading />;
  if (session.state === "error") {
    if (session.failure.status === 401) return <SignIn signedOut={signedOut} />;
    return <Failure failure={session.failure} retry={reload} />;
  }
  const signOut = async (): Promise<void> => {
    await endSession().catch(() => undefined);
    navigate("/");
    setSignedOut(true);
  };
  return <Shell role={session.value.role} onSignOut={() => void signOut()} />;
}

interface NavItem {
  href: string;
  label: string;
}

function Shell({ role, onSignOut }: { role: string; onSignOut: () => void }): React.JSX.Element {
  const { t, language, setLanguage } = useI18n();
  const path = usePath();
  const nav: NavItem[] =
    role === "therapist"
      ? [{ href: "/", label: t("nav.roster") }]
      : role === "admin"
        ? [
            { href: "/", label: t("nav.flags") },
            { href: "/admin/rtm-policy", label: t("nav.rtmPolicy") },
            { href: "/admin/users", label: t("nav.users") },
            { href: "/admin/billing-board", label: t("nav.board") },
            { href: "/admin/billing-records", label: t("nav.worklist") },
            { href: "/admin/dashboard", label: t("nav.dashboard") },
          ]
        : [{ href: "/", label: t("nav.today") }];
  return (
    <div className={`shell role-${role}`}>
      <header className="top">
        <span className="brand">{t("app.name")}</span>
        <nav aria-label={t("nav.main")}>
          {nav.map((item) => (
            <Link key={item.href} href={item.href} aria-current={path === item.href ? "page" : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <label className="language">
          <span className="visually-hidden">{t("nav.language")}</span>
          <select value={language} onChange={(event) => setLanguage(event.target.value === "ru" ? "ru" : "en")}>
            <option value="en">English</option>
            <option value="ru">Русский</option>
          </select>
        </label>
        <button type="button" onClick={onSignOut}>
          {t("nav.signOut")}
        </button>
      </header>
      <main id="main">
        <Suspense fallback={<Loading />}>
          <Screen role={role} path={path} />
        </Suspense>
      </main>
    </div>
  );
}

function Screen({ role, path }: { role: string; path: string }): React.JSX.Element {
  if (role === "therapist") {
    const session = match("/patients/:id/exercise-sessions/:sessionId", path);
    if (session) return <ExerciseSessionPage key={session.sessionId} patientId={session.id} sessionId={session.sessionId} />;
    const plans = match("/patients/:id/plans", path);
    if (plans) return <PlanEditor key={plans.id} patientId={plans.id} />;
    const patient = match("/patients/:id", path);
    return patient ? <PatientPage key={patient.id} patientId={patient.id} /> : <Roster />;
  }
  if (role === "admin") {
    if (path === "/admin/billing-board") return <BillingBoard />;
    if (path === "/admin/billing-records") return <BillingWorklist />;
    if (path === "/admin/dashboard") return <Dashboard />;
    if (path === "/admin/rtm-policy") return <RtmPolicy />;
    if (path === "/admin/users") return <Users />;
    return <FeatureFlags />;
  }
  return <Today />;
}
