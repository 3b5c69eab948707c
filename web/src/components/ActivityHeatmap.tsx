// The patient's own daily activity for the last twelve weeks: a cell for every day (the API lists each, zeros included).
import { api, unwrap } from "../api/client";
import { useI18n, type MessageKey } from "../i18n";
import { activeDays, activityRange, heatmapWeeks, LEVEL_COLOURS, type ActivityCell } from "../logic/activity";
import { localToday } from "../logic/format";
import { Failure, Loading } from "./Status";
import { useLoad } from "./useLoad";

const WEEKS = 12;
const LEVELS = [0, 1, 2, 3] as const;

export function ActivityHeatmap({ generation }: { generation: number }): React.JSX.Element {
  const { t } = useI18n();
  const range = activityRange(localToday(Intl.DateTimeFormat().resolvedOptions().timeZone), WEEKS);
  const [loaded, reload] = useLoad(() => unwrap(api.GET("/api/daily-activity", { params: { query: range } })), [range.from, range.to, generation]);
  return (
    <section className="card" aria-labelledby="activity-title">
      <h2 id="activity-title">{t("activity.title")}</h2>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" && <Heatmap weeks={heatmapWeeks(loaded.value.days, range.from, range.to)} streak={loaded.value.currentStreakDays} />}
    </section>
  );
}

function Heatmap({ weeks, streak }: { weeks: ActivityCell[][]; streak: number }): React.JSX.Element {
  const { t } = useI18n();
  const { active, total } = activeDays(weeks);
  const describe = (cell: ActivityCell): string =>
    `${cell.date}: ${t(`activity.level${cell.level}` as MessageKey)}${cell.xp > 0 ? `, ${t("activity.xp", { xp: cell.xp })}` : ""}`;
  return (
    <>
      <p data-testid="activity-summary">{t("activity.summary", { active, total, streak })}</p>
      <ol className="heatmap" aria-label={t("activity.grid")} data-testid="activity-heatmap">
        {weeks.flat().map((cell) =>
          cell.inRange ? (
            <li
              key={cell.date}
              className="cell"
              data-date={cell.date}
              data-level={cell.level}
              style={{ background: LEVEL_COLOURS[cell.level] }}
              title={describe(cell)}
            >
              <span className="visually-hidden">{describe(cell)}</span>
            </li>
          ) : (
            <li key={cell.date} className="cell blank" aria-hidden="true" />
          ),
        )}
      </ol>
      <ul className="legend" aria-label={t("activity.legend")}>
        {LEVELS.map((level) => (
          <li key={level}>
            <span className="swatch" style={{ background: LEVEL_COLOURS[level] }} aria-hidden="true" />
            {t(`activity.level${level}` as MessageKey)}
          </li>
        ))}
      </ul>
    </>
  );
}
