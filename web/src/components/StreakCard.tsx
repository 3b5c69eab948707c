// The streak card: daily and weekly counters, the Monday-to-Sunday dots and the rest days left, all from the API.
import type { Streak } from "../api/client";
import { statusLabel, useI18n, type MessageKey } from "../i18n";
import { restDaysLeft, weekDots, weeklyMinutesPercent } from "../logic/streak";

export function StreakCard({ streak }: { streak: Streak }): React.JSX.Element {
  const { t } = useI18n();
  const dots = weekDots(streak.weekCalendar);
  const rest = restDaysLeft(streak);
  const percent = weeklyMinutesPercent(streak.weeklyMinutes);
  return (
    <section className="card" aria-labelledby="streak-title">
      <h2 id="streak-title">{t("streak.title")}</h2>
      <p className="counters">
        <span className="counter daily" data-testid="daily-streak">
          {t("streak.daily", { count: streak.currentDailyStreak })}
        </span>
        <span className="counter weekly" data-testid="weekly-streak">
          {t("streak.weekly", { count: streak.currentWeeklyStreak })}
        </span>
      </p>
      <ol className="week" aria-label={t("streak.week")}>
        {dots.map((dot) => (
          <li key={dot.date} className="day" data-date={dot.date} data-status={dot.status}>
            <span className="day-name" aria-hidden="true">
              {t(`day.${dot.dayOfWeek}` as MessageKey)}
            </span>
            <span
              className="dot"
              style={{ background: dot.colours.background, borderColor: dot.colours.fill }}
              role="img"
              aria-label={`${t(`day.${dot.dayOfWeek}` as MessageKey)} ${dot.date}: ${statusLabel(t, "dayStatus", dot.status)}`}
            >
              {dot.dayOfMonth}
            </span>
          </li>
        ))}
      </ol>
      <div className="minutes">
        <progress max={100} value={percent} aria-label={t("streak.minutes", { minutes: streak.weeklyMinutes })} />
        <span>{t("streak.minutes", { minutes: streak.weeklyMinutes })}</span>
      </div>
      <p data-testid="rest-days-left">{t("streak.restDaysLeft", { left: rest.left, total: rest.total })}</p>
    </section>
  );
}
