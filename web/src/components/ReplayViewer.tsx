// The pose replay: the 33-landmark skeleton on a canvas, play / pause / scrub / speed, rep markers, and the
// joint-angle trace under it, in sync. The blob streams through the decoder, so playing starts with the first batch.
import { useCallback, useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { drawSkeleton } from "../logic/skeleton";
import { ReplayDecoder, SLICE_BYTES, durationMs, frameAt, jointAngle, type Replay } from "../logic/replay";
import { Failure, Loading } from "./Status";
import { useLoad, type Loaded } from "./useLoad";

export interface RepMark {
  repNumber: number;
  startMs: number;
  endMs: number;
}

const SPEEDS = [0.25, 0.5, 1, 1.5, 2] as const;
type Joint = readonly [number, number, number];

interface Streamed {
  replay: Replay | null;
  frames: number; // decoded so far: a new number re-renders what depends on it
  done: boolean;
  error: string | null;
  unavailable: boolean;
}

class StorageUnavailable extends Error {}

/** Decoding runs in turns of about this long, so the first frames are drawn and the controls answer meanwhile. */
const DECODE_SLICE_MS = 8;

/** The end of this task: the browser may paint and handle input before the promise resolves. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Downloads the signed URL and decodes it as it arrives; `frames` follows the decoder at most once per paint. */
function useReplayStream(url: string | null, expectedFrames: number): Streamed {
  const [state, setState] = useState<Streamed>({ replay: null, frames: 0, done: false, error: null, unavailable: false });
  useEffect(() => {
    if (url === null) return;
    const abort = new AbortController();
    const decoder = new ReplayDecoder(expectedFrames);
    let painted = true;
    const show = (done: boolean, replay: Replay = decoder): void => {
      if (!done && !painted) return;
      painted = false;
      requestAnimationFrame(() => {
        painted = true;
        if (!abort.signal.aborted) setState({ replay, frames: replay.count, done, error: null, unavailable: false });
      });
    };
    (async () => {
      // The URL is S3's, signed for this read: no cookie of ours goes with it.
      const response = await fetch(url, { signal: abort.signal, credentials: "omit" });
      if (!response.ok || response.body === null) throw new StorageUnavailable(`HTTP ${response.status}`);
      const reader = response.body.getReader();
      let since = performance.now();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (let at = 0; at < value.length; at += SLICE_BYTES) {
          const before = decoder.count;
          decoder.push(value.subarray(at, at + SLICE_BYTES));
          // Once the bytes have arrived every read resolves at once, and the loop would decode the whole blob
          // before the browser paints: hand it a turn when the first frames are in and every few milliseconds.
          if ((before === 0 && decoder.count > 0) || performance.now() - since > DECODE_SLICE_MS) {
            show(false);
            await nextTask();
            if (abort.signal.aborted) return;
            since = performance.now();
          }
        }
        show(false);
      }
      // A fresh object: finishing may have put the frames back in time order, so what was traced is traced again.
      const final = decoder.finish();
      show(true, { count: final.count, fps: final.fps, landmarks: final.landmarks, timestamps: final.timestamps });
    })().catch((error: unknown) => {
      if (abort.signal.aborted) return;
      // Storage not answering (network error or an HTTP failure) is an outage; a bad blob is named as such.
      const outage = error instanceof StorageUnavailable || error instanceof TypeError;
      setState((s) => ({ ...s, error: outage ? null : error instanceof Error ? error.message : String(error), unavailable: outage }));
    });
    return () => abort.abort();
  }, [url, expectedFrames]);
  return state;
}

export interface ReplayLoad {
  link: Loaded<{ url: string | null; frameCount: number }>;
  reload: () => void;
  stream: Streamed;
}

/** The replay's signed link and its stream, asked for as soon as the session page opens: in parallel with the
 * session's own read, not after it, so the first frames are on the canvas sooner. */
export function useReplay(sessionId: string): ReplayLoad {
  const [link, reload] = useLoad(() => unwrap(api.GET("/v1/sessions/{session_id}/replay", { params: { path: { session_id: sessionId } } })), [sessionId]);
  const ready = link.state === "ready" ? link.value : null;
  const stream = useReplayStream(ready?.url ?? null, ready?.frameCount ?? 0);
  return { link, reload, stream };
}

export function ReplayViewer({ replay, reps, joint }: { replay: ReplayLoad; reps: RepMark[]; joint: Joint }): React.JSX.Element {
  const { t } = useI18n();
  const { link, reload, stream } = replay;
  const ready = link.state === "ready" ? link.value : null;
  return (
    <section className="card replay" aria-labelledby="replay-title">
      <h2 id="replay-title">{t("replay.title")}</h2>
      {link.state === "loading" && <Loading />}
      {link.state === "error" && <Failure failure={link.failure} retry={reload} />}
      {stream.error !== null && (
        <p role="alert" className="alert">
          {t("replay.unreadable", { detail: stream.error })}
        </p>
      )}
      {stream.unavailable && (
        <p role="alert" className="alert">
          {t("common.unavailable")}
        </p>
      )}
      {ready !== null && stream.replay === null && stream.error === null && !stream.unavailable && <Loading />}
      {stream.replay !== null && stream.frames > 0 && (
        <Player replay={stream.replay} frames={stream.frames} loading={!stream.done} reps={reps} joint={joint} />
      )}
    </section>
  );
}

function Player({ replay, frames, loading, reps, joint }: { replay: Replay; frames: number; loading: boolean; reps: RepMark[]; joint: Joint }): React.JSX.Element {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [positionMs, setPositionMs] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<number>(1);
  const end = durationMs(replay);
  const frame = frameAt(replay, positionMs);

  // Playback: the clock advances with real time x speed; it waits at the decoded end while more is coming.
  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let handle = requestAnimationFrame(function tick(now) {
      const step = (now - last) * speed;
      last = now;
      setPositionMs((p) => {
        const next = Math.min(p + step, end);
        if (next >= end && !loading) setPlaying(false);
        return next;
      });
      handle = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(handle);
  }, [playing, speed, end, loading]);

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext("2d");
    if (element && context) drawSkeleton(context, element.width, element.height, replay, frame, joint);
  }, [replay, frames, frame, joint]);

  const seek = useCallback((ms: number) => setPositionMs(Math.max(0, Math.min(ms, end))), [end]);
  const toggle = (): void => {
    if (!playing && positionMs >= end && !loading) setPositionMs(0); // play again from the start
    // Playing shows the next frame at once: the clock alone would take a couple of animation frames to reach it.
    else if (!playing && frame + 1 < replay.count) setPositionMs(replay.timestamps[frame + 1]);
    setPlaying(!playing);
  };
  const angle = jointAngle(replay, frame, joint);
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  const timeText = t("replay.time", { at: seconds(replay.timestamps[frame]), total: seconds(end) });
  return (
    <div className="player">
      <canvas
        ref={canvas}
        width={360}
        height={360}
        role="img"
        aria-label={t("replay.canvas", { at: seconds(replay.timestamps[frame]) })}
        data-testid="replay-canvas"
        data-frame={frame}
      />
      <div className="player-controls">
        <button type="button" onClick={toggle} data-testid="replay-play">
          {playing ? t("replay.pause") : t("replay.play")}
        </button>
        <label className="field scrub">
          <span>{t("replay.position")}</span>
          <input
            type="range"
            min={0}
            max={end}
            step={33}
            value={Math.round(positionMs)}
            aria-valuetext={timeText}
            onChange={(event) => seek(Number(event.target.value))}
            data-testid="replay-scrub"
          />
        </label>
        <div className="rep-marks" aria-label={t("replay.reps")} role="group">
          {reps.map((rep) => (
            <button
              key={rep.repNumber}
              type="button"
              className="rep-mark"
              style={{ left: `${end > 0 ? (100 * Math.min(rep.startMs, end)) / end : 0}%` }}
              onClick={() => seek(rep.startMs)}
              aria-label={t("replay.goToRep", { rep: rep.repNumber, at: seconds(rep.startMs) })}
              data-testid="rep-marker"
            >
              {rep.repNumber}
            </button>
          ))}
        </div>
        <label className="field speed">
          <span>{t("replay.speed")}</span>
          <select value={speed} onChange={(event) => setSpeed(Number(event.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <p aria-live="off" data-testid="replay-time">
          {timeText} · {t("replay.frame", { frame: frame + 1, count: frames })}
          {loading && ` · ${t("replay.loading")}`} · {t("replay.angle", { angle: angle === null ? t("common.none") : angle.toFixed(0) })}
        </p>
      </div>
      <AngleTrace replay={replay} frames={frames} joint={joint} reps={reps} positionMs={replay.timestamps[frame]} onSeek={seek} />
    </div>
  );
}

/** The joint angle over the session (uPlot), the playing instant as a line, rep starts dashed; a click seeks. */
function AngleTrace({ replay, frames, joint, reps, positionMs, onSeek }: {
  replay: Replay; frames: number; joint: Joint; reps: RepMark[]; positionMs: number; onSeek: (ms: number) => void;
}): React.JSX.Element {
  const { t } = useI18n();
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const line = useRef<HTMLDivElement | null>(null);
  const trace = useRef<{ seconds: number[]; angles: (number | null)[]; of: Replay | null; joint: Joint | null }>({
    seconds: [], angles: [], of: null, joint: null,
  });
  const seekRef = useRef(onSeek);
  seekRef.current = onSeek;

  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const width = Math.max(280, Math.min(720, element.clientWidth || 600));
    const made = new uPlot(
      {
        width,
        height: 180,
        scales: { x: { time: false }, y: { range: [0, 180] } },
        axes: [{ label: t("replay.seconds") }, { label: t("replay.degrees") }],
        legend: { show: false },
        series: [{}, { label: t("replay.angleSeries"), stroke: "#1d4ed8", width: 1.5, spanGaps: false }],
        hooks: {
          draw: [
            (u) => {
              const context = u.ctx;
              context.save();
              context.strokeStyle = "#b45309";
              context.setLineDash([4, 4]);
              for (const rep of reps) {
                const x = u.valToPos(rep.startMs / 1000, "x", true);
                context.beginPath();
                context.moveTo(x, u.bbox.top);
                context.lineTo(x, u.bbox.top + u.bbox.height);
                context.stroke();
              }
              context.restore();
            },
          ],
        },
      },
      [[], []],
      element,
    );
    const cursorLine = document.createElement("div");
    cursorLine.className = "trace-now";
    made.over.appendChild(cursorLine);
    made.over.addEventListener("click", () => {
      const left = made.cursor.left;
      if (left !== undefined && left >= 0) seekRef.current(made.posToVal(left, "x") * 1000);
    });
    made.setData([trace.current.seconds, trace.current.angles]); // a new language redraws what was traced
    plot.current = made;
    line.current = cursorLine;
    return () => {
      made.destroy();
      plot.current = null;
    };
  }, [joint, reps, t]);

  // Extend the trace with the frames decoded since the last paint (the whole of it once the frames were reordered).
  useEffect(() => {
    const current = trace.current;
    if (current.of !== replay || current.joint !== joint) Object.assign(current, { seconds: [], angles: [], of: replay, joint });
    for (let i = current.seconds.length; i < frames; i++) {
      current.seconds.push(replay.timestamps[i] / 1000);
      const angle = jointAngle(replay, i, joint);
      current.angles.push(angle === null ? null : Math.round(angle * 10) / 10);
    }
    plot.current?.setData([current.seconds, current.angles]);
  }, [replay, frames, joint]);

  useEffect(() => {
    const made = plot.current;
    if (made && line.current) line.current.style.left = `${made.valToPos(positionMs / 1000, "x")}px`;
  });

  return (
    <figure className="chart">
      <figcaption>{t("replay.trace")}</figcaption>
      <div ref={holder} aria-hidden="true" data-testid="angle-trace" />
    </figure>
  );
}
