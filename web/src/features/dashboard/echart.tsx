import { useEffect, useRef } from 'react';
import { BarChart, FunnelChart, HeatmapChart, LineChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Only the chart types and components the app draws (mark lines/points: the lead page's score history): the full bundle is ~3× larger.
echarts.use([BarChart, FunnelChart, HeatmapChart, LineChart, SankeyChart, GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Brand palette for series, matching the CSS variables. */
export const palette = ['#3b5bdb', '#12b886', '#f59f00', '#7048e8', '#e64980', '#1098ad', '#868e96', '#d9480f'];

export function EChart({ option, height = 280, label }: { option: ChartOption; height?: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current);
    return () => { observer.disconnect(); instance.dispose(); chart.current = null; };
  }, []);
  useEffect(() => {
    // No entry animation: a dozen charts animating at once kept the main thread busy for a second after the
    // data arrived, and a dashboard read every morning gains nothing from it.
    chart.current?.setOption({ color: palette, textStyle: { fontFamily: 'inherit' }, animation: false, ...option }, true);
  }, [option]);
  // A canvas says nothing to a screen reader: the role and label name the chart, the CSV button gives its numbers.
  return <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} />;
}
