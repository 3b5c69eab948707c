// Video quality figures: the median start-up, the mean watched share, stalls over all viewing time, renditions by height.
import { describe, expect, it } from "vitest";
import { renditionShares, videoFigures, type Playback } from "./video";

function playback(figures: Partial<Playback>): Playback {
  return {
    mediaSessionId: "00000000-0000-4000-8000-000000000001", startupTimeMs: 800, watchTimeSeconds: 60, completionPercentage: 100,
    milestonesReached: [25, 50, 75, 100], rebufferCount: 0, rebufferDurationSeconds: 0, rebufferPercentage: 0,
    rebufferFrequencyPerMinute: 0, qualitySeconds: {}, qualityUpSwitches: 0, qualityDownSwitches: 0, droppedFrameRatio: 0,
    exitBeforeVideoStart: false, ended: true, viewingTimeSeconds: 60.8, averageBitrateBitsPerSecond: null, bitrateSeconds: {},
    viewerExperience: { score: 100, playbackSuccess: 100, startup: 100, smoothness: 100, videoQuality: 100 }, ...figures,
  };
}

describe("renditionShares", () => {
  it("orders renditions by height and gives each its share of the seconds played", () => {
    expect(renditionShares({ "480p": 10, "1080p": 30, "720p": 60, "240p": 0 })).toEqual([
      { rendition: "1080p", seconds: 30, percent: 30 },
      { rendition: "720p", seconds: 60, percent: 60 },
      { rendition: "480p", seconds: 10, percent: 10 },
    ]);
    expect(renditionShares({})).toEqual([]);
  });
});

describe("videoFigures", () => {
  it("takes the median start-up of the playbacks that started", () => {
    const figures = videoFigures([playback({ startupTimeMs: 400 }), playback({ startupTimeMs: null, exitBeforeVideoStart: true }), playback({ startupTimeMs: 2000 }), playback({ startupTimeMs: 900 })]);
    expect(figures.startupMs).toBe(900);
    expect(figures.playbacks).toBe(4);
  });

  it("weighs each playback's stalled share by its watch time, not a plain mean of the percentages", () => {
    // 9 s stalled in 81 s played (11.1 %), and nothing stalled in 10 s played: 9 s per 91 s = 9.9 %, not the mean (5.6 %).
    const figures = videoFigures([
      playback({ watchTimeSeconds: 81, rebufferDurationSeconds: 9, rebufferPercentage: (100 * 9) / 81, completionPercentage: 90 }),
      playback({ watchTimeSeconds: 10, rebufferDurationSeconds: 0, completionPercentage: 20 }),
    ]);
    expect(figures.rebufferPercent).toBeCloseTo((100 * 9) / 91, 6); // 9 s stalled over 91 s played
    expect(figures.watchPercent).toBe(55);
  });

  it("adds the renditions of every playback", () => {
    const figures = videoFigures([playback({ qualitySeconds: { "720p": 30 } }), playback({ qualitySeconds: { "720p": 10, "360p": 10 } })]);
    expect(figures.quality.map((q) => [q.rendition, q.percent])).toEqual([["720p", 80], ["360p", 20]]);
  });

  it("shows one playback's stalled share exactly as the API reports it", () => {
    const figures = videoFigures([playback({ watchTimeSeconds: 41.2, rebufferDurationSeconds: 2, rebufferPercentage: 4.85 })]);
    expect(figures.rebufferPercent).toBeCloseTo(4.85, 9);
  });

  it("has no figures without playbacks", () => {
    expect(videoFigures([])).toEqual({ playbacks: 0, startupMs: null, watchPercent: null, rebufferPercent: null, quality: [] });
  });
});
