// Pain before and after per session: a uPlot line chart, with the same values in a table for screen readers.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useI18n } from "../i18n";
import type { PainSeries } from "../logic/pain";

export function PainChart({ series, title }: { series: PainSeries; title: string }): React.JSX.Element {
  const { t } = useI18n();
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (element === null || series.sessions.length === 0) return;
    const width = Math.max(280, Math.min(720, element.clientWidth || 600));
    const plot = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: false }, y: { range: [0, 10] } },
        // Sessions are whole numbers: no 0.5 ticks.
        axes: [{ label: t("chart.session"), incrs: [1, 2, 5, 10, 20, 50] }, {}],
        series: [
          { label: t("chart.session") },
          { label: t("chart.before"), stroke: "#B91C1C", width: 2, points: { show: true } },
          { label: t("chart.after"), stroke: "#047857", width: 2, points: { show: true } },
        ],
      },
      [series.sessions, series.before, series.after],
      element,
    );
    return () => plot.destroy();
  }, [series, t]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={holder} aria-hidden="true" data-testid="pain-chart" />
      <details>
        <summary>{t("chart.table")}</summary>
        <table data-testid="pain-table">
          <thead>
            <tr>
              <th scope="col">{t("chart.session")}</th>
              <th scope="col">{t("chart.before")}</th>
              <th scope="col">{t("chart.after")}</th>
            </tr>
          </thead>
          <tbody>
            {series.sessions.map((session, i) => (
              <tr key={session}>
                <td>{session}</td>
                <td>{series.before[i] ?? t("common.none")}</td>
                <td>{series.after[i] ?? t("common.none")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
