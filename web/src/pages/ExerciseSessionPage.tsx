// One exercise session for the therapist: status and why it is incomplete, totals, the per-rep table and the replay.
import { useMemo } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { ReplayViewer, useReplay, type ReplayLoad } from "../components/ReplayViewer";
import { Failure, Loading } from "../components/Status";
import { VideoQuality } from "../components/VideoQuality";
import { useLoad } from "../components/useLoad";
import { statusLabel, useI18n } from "../i18n";
import { dateTime, oneDecimal, seconds } from "../logic/format";
import { primaryJoint } from "../logic/replay";
import { Link } from "../router";

type Session = Schemas["ExerciseSessionReply"];
type Exercise = Schemas["ExerciseReply"];

async function loadSession(sessionId: string): Promise<{ session: Session; exercise: Exercise | null }> {
  const [session, catalogue] = await Promise.all([
    unwrap(api.GET("/v1/exercise-sessions/{session_id}", { params: { path: { session_id: sessionId } } })),
    unwrap(api.GET("/v1/exercises")),
  ]);
  return { session, exercise: catalogue.find((e) => e.exerciseId === session.exerciseId) ?? null };
}

export function ExerciseSessionPage({ patientId, sessionId }: { patientId: string; sessionId: string }): React.JSX.Element {
  const { t } = useI18n();
  const [loaded, reload] = useLoad(() => loadSession(sessionId), [sessionId]);
  const replay = useReplay(sessionId);
  return (
    <div className="session-page">
      <p>
        <Link href={`/patients/${patientId}`}>{t("sessions.back")}</Link>
      </p>
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "error" && <Failure failure={loaded.failure} retry={reload} />}
      {loaded.state === "ready" && <SessionDetail session={loaded.value.session} exercise={loaded.value.exercise} replay={replay} />}
    </div>
  );
}

function SessionDetail({ session, exercise, replay }: { session: Session; exercise: Exercise | null; replay: ReplayLoad }): React.JSX.Element {
  const { t, language } = useI18n();
  const none = t("common.none");
  const joint = useMemo(() => primaryJoint(exercise?.poseProfile ?? null), [exercise]);
  const totals = session.totals;
  return (
    <>
      <section className="card" aria-labelledby="session-title">
        <h1 id="session-title">
          {exercise?.name ?? t("sessions.exercise")} · {dateTime(session.startedAt, language)}
        </h1>
        <p data-testid="session-status">
          {statusLabel(t, "sessionStatus", session.status)}
          {session.status === "incomplete" && (
            <span className="badge alert" data-testid="incomplete-flag">
              {t("sessions.incomplete")}: {session.incompleteReason ? statusLabel(t, "incompleteReason", session.incompleteReason) : none}
            </span>
          )}
        </p>
        <dl className="facts" data-testid="session-totals">
          <div>
            <dt>{t("sessions.reps")}</dt>
            <dd>{session.detectedRepCount}</dd>
          </div>
          <div>
            <dt>{t("sessions.formScore")}</dt>
            <dd>{oneDecimal(totals.averageFormScore) ?? none}</dd>
          </div>
          <div>
            <dt>{t("sessions.poseAccuracy")}</dt>
            <dd>{oneDecimal(totals.poseAccuracyScore) ?? none}</dd>
          </div>
          <div>
            <dt>{t("sessions.activeSeconds")}</dt>
            <dd>{seconds(totals.activeDurationMs)}</dd>
          </div>
          <div>
            <dt>{t("sessions.frames")}</dt>
            <dd>{t("sessions.framesFigures", { frames: totals.frameCount, low: totals.framesLowVisibility })}</dd>
          </div>
        </dl>
      </section>
      <section className="card" aria-labelledby="reps-title">
        <h2 id="reps-title">{t("sessions.repTable")}</h2>
        {session.reps.length === 0 ? (
          <p>{t("sessions.noReps")}</p>
        ) : (
          <div className="scroll">
            <table data-testid="rep-table">
              <thead>
                <tr>
                  <th scope="col">{t("reps.number")}</th>
                  <th scope="col">{t("reps.peakRom")}</th>
                  <th scope="col">{t("reps.minimumAngle")}</th>
                  <th scope="col">{t("reps.formScore")}</th>
                  <th scope="col">{t("reps.eccentric")}</th>
                  <th scope="col">{t("reps.hold")}</th>
                  <th scope="col">{t("reps.concentric")}</th>
                  <th scope="col">{t("reps.maxDeviation")}</th>
                </tr>
              </thead>
              <tbody>
                {session.reps.map((r) => (
                  <tr key={r.repNumber} data-rep-number={r.repNumber}>
                    <td>{r.repNumber}</td>
                    <td className="peak-rom">{oneDecimal(r.peakRomDegrees)}</td>
                    <td className="minimum-angle">{oneDecimal(r.minimumAngleDegrees) ?? none}</td>
                    <td className="form-score">{oneDecimal(r.formScore)}</td>
                    <td>{seconds(r.eccentricMs)}</td>
                    <td>{seconds(r.holdMs)}</td>
                    <td>{seconds(r.concentricMs)}</td>
                    <td className="max-deviation">{oneDecimal(r.maxDeviationDegrees) ?? none}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {session.replay.available ? (
        <ReplayViewer replay={replay} reps={session.reps} joint={joint} />
      ) : (
        <p className="card">{t("replay.none")}</p>
      )}
      {session.videoQuality.length > 0 && (
        <VideoQuality exerciseName={exercise?.name ?? t("sessions.exercise")} playbacks={session.videoQuality} />
      )}
    </>
  );
}
