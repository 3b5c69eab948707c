// Draws one replay frame: MediaPipe's bones and landmarks, the measured joint highlighted, unseen landmarks left out.
import { FRAME_FLOATS, LANDMARK_COUNT, POSE_CONNECTIONS, type Replay } from "./replay";

const VISIBLE = 0.5;
const BACKGROUND = "#111827";
const BONE = "#10b981";
const LANDMARK = "#f9fafb";
const MEASURED = "#f59e0b";

/** Where landmark l of frame i lands on a width x height canvas, or null when the camera did not see it. */
export function landmarkPoint(replay: Replay, i: number, l: number, width: number, height: number): [number, number] | null {
  const base = i * FRAME_FLOATS + l * 4;
  if (replay.landmarks[base + 3] < VISIBLE) return null;
  return [replay.landmarks[base] * width, replay.landmarks[base + 1] * height];
}

export function drawSkeleton(
  context: CanvasRenderingContext2D, width: number, height: number, replay: Replay, i: number, joint: readonly number[],
): void {
  context.fillStyle = BACKGROUND;
  context.fillRect(0, 0, width, height);
  if (i >= replay.count) return;
  const points = Array.from({ length: LANDMARK_COUNT }, (_, l) => landmarkPoint(replay, i, l, width, height));
  context.lineWidth = 3;
  context.lineCap = "round";
  for (const [a, b] of POSE_CONNECTIONS) {
    const from = points[a];
    const to = points[b];
    if (from === null || to === null) continue;
    context.strokeStyle = joint.includes(a) && joint.includes(b) ? MEASURED : BONE;
    context.beginPath();
    context.moveTo(from[0], from[1]);
    context.lineTo(to[0], to[1]);
    context.stroke();
  }
  points.forEach((point, l) => {
    if (point === null) return;
    context.fillStyle = joint.includes(l) ? MEASURED : LANDMARK;
    context.beginPath();
    context.arc(point[0], point[1], joint[1] === l ? 6 : 3.5, 0, 2 * Math.PI);
    context.fill();
  });
}
