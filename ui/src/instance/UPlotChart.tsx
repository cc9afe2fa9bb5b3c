import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { AlignedData } from "./hooks";
import { formatSampleTime, formatTick, type ResourceLine } from "./metrics-model";
import { timeRange } from "./time-range";

/** Series colours that read on light and dark backgrounds. */
export const SERIES_COLOURS = ["#2f80ed", "#e0702a", "#27ae60", "#9b51e0", "#d64545", "#1fa3a3", "#b58900", "#7f8c8d"];

/** The colours of the request and limit lines. */
const LINE_COLOURS: Record<ResourceLine["kind"], string> = { request: "#b58900", limit: "#d64545" };

/** The chart's data with a constant column per request or limit line. */
function withLines(data: AlignedData, lines: ResourceLine[]): AlignedData {
  const times = data[0];
  return [...data, ...lines.map((l) => times.map(() => l.value))] as AlignedData;
}

/**
 * A uPlot time chart, one line per series, plus dashed horizontal request and limit lines; the
 * time axis in 24-hour time. `timeWindow` fixes the time axis (a chosen range); without it the axis
 * follows the samples. Re-created when the series change, updated in place otherwise.
 */
export function UPlotChart({
  title,
  unit,
  names,
  data,
  lines = [],
  timeWindow: xWindow,
  height = 180,
}: {
  title: string;
  unit: string;
  names: string[];
  data: AlignedData;
  lines?: ResourceLine[];
  timeWindow?: [number, number];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const windowRef = useRef(xWindow);
  windowRef.current = xWindow;
  const key = [...names, ...lines.map((l) => `${l.label}=${l.value}`)].join("\u0000");
  const scheme = useColourScheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const styles = getComputedStyle(el);
    const text = styles.getPropertyValue("--text-muted").trim() || "#57606a";
    const grid = styles.getPropertyValue("--border").trim() || "#d9dde3";
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 300),
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // uPlot stretches a lone sample over 86 400 000 s (years, with times in seconds): pick the range ourselves
        x: { time: true, range: (u) => windowRef.current ?? timeRange(u.data[0] as ArrayLike<number>, Date.now() / 1000) },
        y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 1)] } },
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => formatTick(t, (ticks[ticks.length - 1] ?? t) - (ticks[0] ?? t))) },
        { ...axis, size: 76, values: (_u, ticks) => ticks.map((t) => `${Math.round(t)} ${unit}`) },
      ],
      hooks: {
        // the x range in use, for tests and for anyone inspecting the chart
        setScale: [(u, k) => k === "x" && el.setAttribute("data-x-range", `${u.scales.x!.min ?? ""},${u.scales.x!.max ?? ""}`)],
      },
      series: [
        { value: (_u: uPlot, v: number | null) => (v == null ? "–" : formatSampleTime(v)) },
        ...names.map((n, i) => ({
          label: n,
          stroke: SERIES_COLOURS[i % SERIES_COLOURS.length],
          width: 2,
          // a dot per sample while they are few enough to tell apart (a live view, a short range)
          points: { show: (_u: uPlot, _s: number, i0: number, i1: number) => i1 - i0 <= 120, size: 5 },
          value: (_u: uPlot, v: number | null) => (v == null ? "–" : `${Math.round(v)} ${unit}`),
        })),
        ...lines.map((l) => ({
          label: l.label,
          stroke: LINE_COLOURS[l.kind],
          width: 1.5,
          dash: [6, 4],
          points: { show: false },
          value: () => `${Math.round(l.value)} ${unit}`,
        })),
      ],
    };
    plot.current = new uPlot(opts, withLines(data, lines) as uPlot.AlignedData, el);
    const resize =
      typeof ResizeObserver === "undefined"
        ? null
        : new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 300), height }));
    resize?.observe(el);
    return () => {
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // the chart is rebuilt only when its series change; data updates go through setData below
  }, [key, height, unit, scheme]);

  useEffect(() => {
    plot.current?.setData(withLines(data, lines) as uPlot.AlignedData);
    // the lines are part of the key: a change rebuilds the chart
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, xWindow?.[0], xWindow?.[1]]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div
        ref={box}
        className="chart__plot"
        role="img"
        aria-label={`${title} per pod over time${lines.length ? `, with ${lines.map((l) => `${l.label} ${Math.round(l.value)} ${unit}`).join(", ")}` : ""}`}
        data-lines={lines.map((l) => l.label).join(",")}
      />
    </figure>
  );
}

/** "dark" or "light", following the OS; the chart takes its colours from the CSS variables again on a change. */
function useColourScheme(): string {
  const media = () => (typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null);
  const [dark, setDark] = useState(() => media()?.matches ?? false);
  useEffect(() => {
    const query = media();
    if (!query) return;
    const onChange = (e: MediaQueryListEvent) => setDark(e.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return dark ? "dark" : "light";
}
