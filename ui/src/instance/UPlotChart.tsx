import { useEffect, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { AlignedData } from "./hooks";
import { timeRange } from "./time-range";

/** Series colours that read on light and dark backgrounds. */
export const SERIES_COLOURS = ["#2f80ed", "#e0702a", "#27ae60", "#9b51e0", "#d64545", "#1fa3a3", "#b58900", "#7f8c8d"];

/** A uPlot time chart, one line per series; re-created when the series change, updated in place otherwise. */
export function UPlotChart({
  title,
  unit,
  names,
  data,
  height = 180,
}: {
  title: string;
  unit: string;
  names: string[];
  data: AlignedData;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = names.join("\u0000");
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
        x: { time: true, range: (u) => timeRange(u.data[0] as ArrayLike<number>, Date.now() / 1000) },
        y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 1)] } },
      axes: [axis, { ...axis, size: 76, values: (_u, ticks) => ticks.map((t) => `${Math.round(t)} ${unit}`) }],
      hooks: {
        // the x range in use, for tests and for anyone inspecting the chart
        setScale: [(u, k) => k === "x" && el.setAttribute("data-x-range", `${u.scales.x!.min ?? ""},${u.scales.x!.max ?? ""}`)],
      },
      series: [
        {},
        ...names.map((n, i) => ({
          label: n,
          stroke: SERIES_COLOURS[i % SERIES_COLOURS.length],
          width: 2,
          points: { show: true, size: 5 },
          value: (_u: uPlot, v: number | null) => (v == null ? "–" : `${Math.round(v)} ${unit}`),
        })),
      ],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
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
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart__plot" role="img" aria-label={`${title} per pod over time`} />
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
