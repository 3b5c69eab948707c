// Video quality of one exercise in a session, from the API's figures alone: start-up, watched share, stalled share
// and the renditions played, then each playback. It takes exactly the fields VideoQualityReply has.
import { useI18n } from "../i18n";
import { oneDecimal, seconds } from "../logic/format";
import { videoFigures, type Playback } from "../logic/video";

const RENDITION_COLOURS = ["#047857", "#10B981", "#6EE7B7", "#FCD34D", "#F59E0B", "#B45309"];

export function VideoQuality({ exerciseName, playbacks }: { exerciseName: string; playbacks: Playback[] }): React.JSX.Element {
  const { t } = useI18n();
  const none = t("common.none");
  const figures = videoFigures(playbacks);
  const percent = (value: number | null): string => (value === null ? none : `${oneDecimal(value)}%`);
  return (
    <section className="card" aria-labelledby="video-title" data-testid="video-quality">
      <h2 id="video-title">{t("video.title", { exercise: exerciseName })}</h2>
      <dl className="facts" data-testid="video-figures">
        <div>
          <dt>{t("video.playbacks")}</dt>
          <dd className="video-playbacks">{figures.playbacks}</dd>
        </div>
        <div>
          <dt>{t("video.startupMedian")}</dt>
          <dd className="video-startup">{figures.startupMs === null ? none : `${seconds(figures.startupMs)} s`}</dd>
        </div>
        <div>
          <dt>{t("video.watchPercent")}</dt>
          <dd className="video-watch">{percent(figures.watchPercent)}</dd>
        </div>
        <div>
          <dt>{t("video.rebufferPercent")}</dt>
          <dd className="video-rebuffer">{percent(figures.rebufferPercent)}</dd>
        </div>
      </dl>
      <h3>{t("video.quality")}</h3>
      {figures.quality.length === 0 ? (
        <p>{none}</p>
      ) : (
        <>
          <div className="rendition-bar" aria-hidden="true">
            {figures.quality.map((q, i) => (
              <span key={q.rendition} style={{ width: `${q.percent}%`, background: RENDITION_COLOURS[i % RENDITION_COLOURS.length] }} />
            ))}
          </div>
          <ul className="renditions" data-testid="video-renditions">
            {figures.quality.map((q, i) => (
              <li key={q.rendition} data-rendition={q.rendition}>
                <span className="swatch" style={{ background: RENDITION_COLOURS[i % RENDITION_COLOURS.length] }} aria-hidden="true" />
                {t("video.renditionShare", { rendition: q.rendition, percent: Math.round(q.percent), seconds: oneDecimal(q.seconds) ?? none })}
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>{t("video.each")}</summary>
        <div className="scroll">
          <table data-testid="video-playbacks">
            <thead>
              <tr>
                <th scope="col">{t("video.startup")}</th>
                <th scope="col">{t("video.watched")}</th>
                <th scope="col">{t("video.completion")}</th>
                <th scope="col">{t("video.rebuffers")}</th>
                <th scope="col">{t("video.rebufferPercent")}</th>
                <th scope="col">{t("video.score")}</th>
              </tr>
            </thead>
            <tbody>
              {playbacks.map((v) => (
                <tr key={v.mediaSessionId}>
                  <td>{v.startupTimeMs === null ? none : seconds(v.startupTimeMs)}</td>
                  <td>{oneDecimal(v.watchTimeSeconds)}</td>
                  <td>{Math.round(v.completionPercentage)}%</td>
                  <td>{t("video.rebufferFigures", { count: v.rebufferCount, seconds: oneDecimal(v.rebufferDurationSeconds) ?? none })}</td>
                  <td>{oneDecimal(v.rebufferPercentage)}%</td>
                  <td className="viewer-experience">{oneDecimal(v.viewerExperience.score) ?? none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
