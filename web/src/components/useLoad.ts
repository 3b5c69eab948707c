// Loads what a screen shows, and reloads it on demand; errors are kept to be shown, never thrown.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiFailure } from "../api/client";

export type Loaded<T> = { state: "loading" } | { state: "error"; failure: ApiFailure } | { state: "ready"; value: T };

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  // The caller names what `load` reads in deps: a new closure each render must not reload.
  const stableLoad = useCallback(load, deps);
  const shown = useRef(stableLoad);
  useEffect(() => {
    let current = true;
    // New deps show "loading"; a reload of the same thing keeps what is on screen until the answer comes.
    if (shown.current !== stableLoad) setLoaded({ state: "loading" });
    shown.current = stableLoad;
    stableLoad().then(
      (value) => current && setLoaded({ state: "ready", value }),
      (error: unknown) =>
        current && setLoaded({ state: "error", failure: error instanceof ApiFailure ? error : new ApiFailure(0, "client", String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [stableLoad, generation]);
  return [loaded, () => setGeneration((g) => g + 1)];
}
