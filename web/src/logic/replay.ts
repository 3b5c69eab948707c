// The replay blob (telemetry's pose wire format, one gzip member per 1-second batch) decoded chunk by chunk.
// Decompressed, each member is: u8 version | u32 frame_count | u32 fps_hint (little-endian), then
// frame_count x 33 landmarks x (x, y, z, visibility) float32, then frame_count x u32 timestamp (ms since the start).
// Frames land in flat typed arrays sized from the replay link's frameCount, so a 10-minute replay (18,000 frames)
// allocates once and the viewer can draw the first batch while the rest still downloads and inflates.
import { Gunzip } from "fflate";

export const LANDMARK_COUNT = 33;
const CHANNELS = 4;
export const FRAME_FLOATS = LANDMARK_COUNT * CHANNELS;
const FRAME_LANDMARK_BYTES = FRAME_FLOATS * 4;
const FRAME_BYTES = FRAME_LANDMARK_BYTES + 4;
const HEADER_BYTES = 9;
const WIRE_VERSION = 1;
export const SLICE_BYTES = 16 * 1024;

export class ReplayFormatError extends Error {}

export interface Replay {
  /** Frames decoded so far; landmarks and timestamps beyond it are unset. */
  readonly count: number;
  readonly fps: number;
  /** count x 33 x (x, y, z, visibility), x and y normalised to the camera image (0..1). */
  readonly landmarks: Float32Array;
  readonly timestamps: Uint32Array;
}

/** Push the blob's bytes as they arrive, then finish(); `replay` grows with every complete batch. */
export class ReplayDecoder implements Replay {
  count = 0;
  fps = 0;
  landmarks: Float32Array;
  timestamps: Uint32Array;
  private readonly inflater: Gunzip;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private batchFrames = 0; // frames of the batch whose body is awaited; 0 while a header is awaited

  constructor(expectedFrames = 0) {
    const capacity = Math.max(1, expectedFrames);
    this.landmarks = new Float32Array(capacity * FRAME_FLOATS);
    this.timestamps = new Uint32Array(capacity);
    this.inflater = new Gunzip((data) => this.take(data));
  }

  push(chunk: Uint8Array): void {
    try {
      // fflate re-scans what is left of a push after each gzip member ends, so one big push of many small
      // members costs quadratic time: slices keep it linear (and let the viewer yield between them).
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) this.inflater.push(chunk.subarray(at, at + SLICE_BYTES), false);
    } catch (error) {
      throw error instanceof ReplayFormatError ? error : new ReplayFormatError(`not a gzip stream (${String(error)})`);
    }
  }

  /** Ends the stream; a partial batch left over means the blob was cut short. Frames come back in time order. */
  finish(): Replay {
    try {
      this.inflater.push(new Uint8Array(0), true);
    } catch (error) {
      throw error instanceof ReplayFormatError ? error : new ReplayFormatError(`gzip stream is truncated (${String(error)})`);
    }
    if (this.buffered > 0 || this.batchFrames > 0) throw new ReplayFormatError("the replay ends inside a batch");
    this.inTimeOrder();
    return this;
  }

  private take(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length;
    for (;;) {
      if (this.batchFrames === 0) {
        if (this.buffered < HEADER_BYTES) return;
        const header = new DataView(this.read(HEADER_BYTES).buffer);
        const version = header.getUint8(0);
        if (version !== WIRE_VERSION) throw new ReplayFormatError(`wire version ${version} is not supported`);
        this.batchFrames = header.getUint32(1, true);
        this.fps = this.fps || header.getUint32(5, true);
        if (this.batchFrames === 0) throw new ReplayFormatError("a batch announces 0 frames");
      }
      const frames = this.batchFrames;
      if (this.buffered < frames * FRAME_BYTES) return;
      const body = this.read(frames * FRAME_BYTES);
      this.reserve(this.count + frames);
      // read() returns a fresh, aligned buffer: typed views over it need no byte-by-byte copy (browsers are little-endian).
      this.landmarks.set(new Float32Array(body.buffer, 0, frames * FRAME_FLOATS), this.count * FRAME_FLOATS);
      this.timestamps.set(new Uint32Array(body.buffer, frames * FRAME_LANDMARK_BYTES, frames), this.count);
      this.count += frames;
      this.batchFrames = 0;
    }
  }

  /** The next n buffered bytes, copied into a buffer of their own. */
  private read(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const used = Math.min(head.length, n - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.buffered -= n;
    return out;
  }

  private reserve(frames: number): void {
    if (frames <= this.timestamps.length) return;
    // More frames than the link announced: grow geometrically rather than refuse what telemetry stored.
    const capacity = Math.max(frames, this.timestamps.length * 2);
    const landmarks = new Float32Array(capacity * FRAME_FLOATS);
    landmarks.set(this.landmarks.subarray(0, this.count * FRAME_FLOATS));
    const timestamps = new Uint32Array(capacity);
    timestamps.set(this.timestamps.subarray(0, this.count));
    this.landmarks = landmarks;
    this.timestamps = timestamps;
  }

  private inTimeOrder(): void {
    let ordered = true;
    for (let i = 1; i < this.count && ordered; i++) ordered = this.timestamps[i - 1] <= this.timestamps[i];
    if (ordered) return;
    // Batches are stored as they arrived, which a reconnecting phone may have sent out of order.
    const order = Array.from({ length: this.count }, (_, i) => i).sort((a, b) => this.timestamps[a] - this.timestamps[b]);
    const landmarks = new Float32Array(this.landmarks.length);
    const timestamps = new Uint32Array(this.timestamps.length);
    order.forEach((from, to) => {
      landmarks.set(this.landmarks.subarray(from * FRAME_FLOATS, (from + 1) * FRAME_FLOATS), to * FRAME_FLOATS);
      timestamps[to] = this.timestamps[from];
    });
    this.landmarks = landmarks;
    this.timestamps = timestamps;
  }
}

/** The whole blob at once (tests, small replays). */
export function decodeReplay(blob: Uint8Array, expectedFrames = 0): Replay {
  const decoder = new ReplayDecoder(expectedFrames);
  decoder.push(blob);
  return decoder.finish();
}

/** The last frame shown at `ms` (the frame whose timestamp is the largest not after it); 0 before the first. */
export function frameAt(replay: Replay, ms: number): number {
  let low = 0;
  let high = replay.count - 1;
  if (high < 0) return 0;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (replay.timestamps[mid] <= ms) low = mid;
    else high = mid - 1;
  }
  return low;
}

export function durationMs(replay: Replay): number {
  return replay.count === 0 ? 0 : replay.timestamps[replay.count - 1];
}

/** The interior angle at landmark b of frame i (degrees, image plane), or null if a landmark is not visible. */
export function jointAngle(replay: Replay, i: number, [a, b, c]: readonly [number, number, number], minVisibility = 0.5): number | null {
  const base = i * FRAME_FLOATS;
  const at = (landmark: number, channel: number): number => replay.landmarks[base + landmark * CHANNELS + channel];
  if (at(a, 3) < minVisibility || at(b, 3) < minVisibility || at(c, 3) < minVisibility) return null;
  const ux = at(a, 0) - at(b, 0);
  const uy = at(a, 1) - at(b, 1);
  const vx = at(c, 0) - at(b, 0);
  const vy = at(c, 1) - at(b, 1);
  const norms = Math.hypot(ux, uy) * Math.hypot(vx, vy);
  if (norms === 0) return null;
  const cosine = Math.min(1, Math.max(-1, (ux * vx + uy * vy) / norms));
  return (Math.acos(cosine) * 180) / Math.PI;
}

/** Seconds and angles of the first `count` frames, as uPlot takes them (null where the joint was not seen). */
export function angleTrace(replay: Replay, joint: readonly [number, number, number]): [number[], (number | null)[]] {
  const seconds: number[] = new Array<number>(replay.count);
  const angles: (number | null)[] = new Array<number | null>(replay.count);
  for (let i = 0; i < replay.count; i++) {
    seconds[i] = replay.timestamps[i] / 1000;
    const angle = jointAngle(replay, i, joint);
    angles[i] = angle === null ? null : Math.round(angle * 10) / 10;
  }
  return [seconds, angles];
}

/** The joint the exercise's pose profile measures (`primary_joint`), else the left knee as the squat default. */
export function primaryJoint(poseProfile: unknown): [number, number, number] {
  if (typeof poseProfile === "object" && poseProfile !== null && "primary_joint" in poseProfile) {
    const joint = poseProfile.primary_joint;
    if (Array.isArray(joint) && joint.length === 3 && joint.every((n) => Number.isInteger(n) && n >= 0 && n < LANDMARK_COUNT)) {
      return [joint[0], joint[1], joint[2]];
    }
  }
  return [23, 25, 27];
}

/** MediaPipe Pose's skeleton: pairs of landmark indices drawn as bones. */
export const POSE_CONNECTIONS: readonly (readonly [number, number])[] = [
  [0, 1], [1, 2], [2, 3], [3, 7], [0, 4], [4, 5], [5, 6], [6, 8], [9, 10],
  [11, 12], [11, 13], [13, 15], [15, 17], [15, 19], [15, 21], [17, 19],
  [12, 14], [14, 16], [16, 18], [16, 20], [16, 22], [18, 20],
  [11, 23], [12, 24], [23, 24], [23, 25], [24, 26], [25, 27], [26, 28],
  [27, 29], [28, 30], [29, 31], [30, 32], [27, 31], [28, 32],
];
