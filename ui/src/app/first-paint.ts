import { useEffect } from "react";
import { useBackend } from "./backend-context";
import { mark, startupMarks } from "./startup-marks";

let firstPaintReported = false;

/**
 * Tells the shell once, when the first screen is interactive (`ready`) and a frame with it was
 * drawn, with the startup marks: the startup benchmark (scripts/bench-desktop.sh) reads it. Only
 * the app's first screen reports; later screens do not.
 */
export function useReportFirstPaint(ready: boolean) {
  const backend = useBackend();
  useEffect(() => {
    if (!ready || firstPaintReported) return;
    firstPaintReported = true;
    mark("ready");
    requestAnimationFrame(() => {
      mark("frame");
      void backend.reportFirstPaint(performance.now(), startupMarks()).catch(() => {});
    });
  }, [ready, backend]);
}
