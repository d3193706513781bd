/// <reference lib="dom" />
// A live uPlot chart as a Preact component: created once, then fed with setData (no re-creation
// per progress event, so a chart at 300 points redraws in well under a millisecond).
import { type ComponentChild, h } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { type Series, formatNumber, latest } from "./series.js";

const COLORS = ["#2563eb", "#e8590c", "#2f9e44", "#9c36b5", "#c92a2a", "#0c8599", "#5f3dc4", "#868e96"];

export interface ChartProps {
  readonly id: string;
  readonly title: string;
  readonly series: Series;
  /** Formats the latest value shown next to the title (and axis ticks). */
  readonly format?: (v: number | null) => string;
  /** Shown instead of the chart when no figure is known yet. */
  readonly emptyText?: string;
}

function hasData(s: Series): boolean {
  for (let i = 1; i < s.data.length; i++) if (s.data[i]!.some((v) => v !== null)) return true;
  return false;
}

export function Chart(props: ChartProps): ComponentChild {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef<string>("");
  const fmt = props.format ?? ((v: number | null) => formatNumber(v));
  const present = hasData(props.series);

  useEffect(() => {
    const el = box.current;
    if (!el || !present) return;
    const key = props.series.labels.join("\u0000");
    if (plot.current && shape.current === key) {
      plot.current.setData(props.series.data as uPlot.AlignedData);
      return;
    }
    plot.current?.destroy();
    shape.current = key;
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: 200,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, { size: 60, values: (_u, ticks) => ticks.map((t) => fmt(t)) }],
      series: [{}, ...props.series.labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false, points: { show: false } }))],
    };
    plot.current = new uPlot(opts, props.series.data as uPlot.AlignedData, el);
  });

  useEffect(() => {
    const onResize = (): void => {
      const el = box.current;
      if (el && plot.current) plot.current.setSize({ width: Math.max(300, el.clientWidth), height: 200 });
    };
    window.addEventListener("resize", onResize);
    return () => {
      window.removeEventListener("resize", onResize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  if (!present && plot.current) {
    plot.current.destroy();
    plot.current = null;
  }

  const last = props.series.labels.map((l, i) => `${l} ${fmt(latest(props.series, i + 1))}`).join(" · ");
  return h(
    "div",
    { class: "chart", "data-testid": `chart-${props.id}` },
    h("div", { class: "title" }, h("span", null, props.title), h("span", { class: "latest", "data-testid": `latest-${props.id}` }, present ? last : "")),
    present ? h("div", { ref: box, class: "plot" }) : h("div", { class: "empty" }, props.emptyText ?? "no data yet"),
  );
}
