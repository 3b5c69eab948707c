// Video quality of one exercise's playbacks, as the API reports each: start-up, watched share, stalls, renditions.
import type { Schemas } from "../api/client";

export type Playback = Schemas["VideoQualityReply"];

export interface RenditionShare {
  rendition: string;
  seconds: number;
  percent: number;
}

export interface VideoFigures {
  playbacks: number;
  /** Median start-up of the playbacks that started; null when none did. */
  startupMs: number | null;
  /** Mean completion of the playbacks. */
  watchPercent: number | null;
  /** Stalls per second played over all playbacks (the API's rebufferPercentage: stall time ÷ watch time), as
   * each playback's figure weighted by its watch time, so one playback shows exactly the API's figure. */
  rebufferPercent: number | null;
  quality: RenditionShare[];
}

/** "1080p" sorts above "720p", above names without a height ("audio"), which keep their name order. */
function height(rendition: string): number {
  const found = /(\d+)/.exec(rendition);
  return found ? Number(found[1]) : -1;
}

export function renditionShares(seconds: Record<string, number>): RenditionShare[] {
  const total = Object.values(seconds).reduce((sum, s) => sum + s, 0);
  return Object.entries(seconds)
    .filter(([, s]) => s > 0)
    .sort(([a], [b]) => height(b) - height(a) || a.localeCompare(b))
    .map(([rendition, s]) => ({ rendition, seconds: s, percent: total > 0 ? (100 * s) / total : 0 }));
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function videoFigures(playbacks: Playback[]): VideoFigures {
  const viewed = playbacks.reduce((sum, p) => sum + p.watchTimeSeconds, 0);
  const stalledShare = playbacks.reduce((sum, p) => sum + p.rebufferPercentage * p.watchTimeSeconds, 0);
  const quality: Record<string, number> = {};
  for (const p of playbacks) for (const [rendition, s] of Object.entries(p.qualitySeconds)) quality[rendition] = (quality[rendition] ?? 0) + s;
  return {
    playbacks: playbacks.length,
    startupMs: median(playbacks.flatMap((p) => (p.startupTimeMs === null ? [] : [p.startupTimeMs]))),
    watchPercent: playbacks.length === 0 ? null : playbacks.reduce((sum, p) => sum + p.completionPercentage, 0) / playbacks.length,
    rebufferPercent: playbacks.length === 0 ? null : viewed > 0 ? stalledShare / viewed : 0,
    quality: renditionShares(quality),
  };
}
