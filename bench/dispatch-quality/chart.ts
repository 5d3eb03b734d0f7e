/**
 * The dispatch-quality comparison as an SVG (written by hand from the data, no chart library):
 * one panel per figure and load, a horizontal box plot per mode (whiskers p5–p95, box p25–p75,
 * a bar at the median, a dot at the mean), and an optional dashed reference line.
 */
import { mean, percentile } from '../../src/simulation/statistics';

export interface ChartSeries {
    label: string;
    values: readonly number[];
    color: string;
}

export interface ChartPanel {
    title: string;
    unit: string;
    series: ChartSeries[];
    reference?: { label: string; value: number };
}

export interface BoxStats {
    p5: number;
    p25: number;
    median: number;
    p75: number;
    p95: number;
    mean: number;
}

const PANEL = { width: 430, height: 200, left: 70, right: 20, top: 44, bottom: 40 };
const COLUMNS = 2;
const HEADER = 48;

export function boxStats(values: readonly number[]): BoxStats {
    return {
        p5: percentile(values, 5),
        p25: percentile(values, 25),
        median: percentile(values, 50),
        p75: percentile(values, 75),
        p95: percentile(values, 95),
        mean: mean(values),
    };
}

/** A round axis end and step at or above `max`: 1, 2 or 5 times a power of ten, about 5 ticks. */
export function axisTicks(max: number): number[] {
    if (!(max > 0)) return [0, 1];
    const rough = max / 5;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map(factor => factor * power).find(candidate => candidate >= rough) ?? power;
    const ticks: number[] = [];
    for (let tick = 0; tick < max + step * 1e-9; tick += step) ticks.push(round(tick));
    if (ticks[ticks.length - 1] < max) ticks.push(round(ticks[ticks.length - 1] + step));
    return ticks;
}

export function boxPlotChart(title: string, subtitle: string, panels: ChartPanel[]): string {
    const rows = Math.ceil(panels.length / COLUMNS);
    const width = PANEL.width * COLUMNS;
    const height = HEADER + PANEL.height * rows + 10;
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
        `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
        `<text x="12" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
        `<text x="12" y="38" fill="#555555">${escape(subtitle)}</text>`,
    ];
    panels.forEach((panel, index) => {
        const x = (index % COLUMNS) * PANEL.width;
        const y = HEADER + Math.floor(index / COLUMNS) * PANEL.height;
        parts.push(...panelSvg(panel, x, y));
    });
    parts.push('</svg>');
    return `${parts.join('\n')}\n`;
}

function panelSvg(panel: ChartPanel, x: number, y: number): string[] {
    const stats = panel.series.map(series => boxStats(series.values));
    const ticks = axisTicks(Math.max(...stats.map(stat => stat.p95), panel.reference?.value ?? 0));
    const axisMax = ticks[ticks.length - 1];
    const plotLeft = x + PANEL.left;
    const plotWidth = PANEL.width - PANEL.left - PANEL.right;
    const plotTop = y + PANEL.top;
    const plotHeight = PANEL.height - PANEL.top - PANEL.bottom;
    const scale = (value: number) => plotLeft + (axisMax ? (value / axisMax) * plotWidth : 0);
    const rowHeight = plotHeight / panel.series.length;
    const out = [
        `<text x="${x + 12}" y="${y + 20}" font-weight="bold">${escape(panel.title)}</text>`,
        `<line x1="${plotLeft}" y1="${plotTop + plotHeight}" x2="${plotLeft + plotWidth}" y2="${plotTop + plotHeight}" stroke="#333333"/>`,
    ];
    for (const tick of ticks) {
        const tx = fixed(scale(tick));
        out.push(
            `<line x1="${tx}" y1="${plotTop}" x2="${tx}" y2="${plotTop + plotHeight}" stroke="#e5e5e5"/>`,
            `<text x="${tx}" y="${plotTop + plotHeight + 15}" text-anchor="middle" fill="#333333">${tick}</text>`,
        );
    }
    out.push(
        `<text x="${plotLeft + plotWidth / 2}" y="${plotTop + plotHeight + 32}" text-anchor="middle" fill="#333333">${escape(panel.unit)}</text>`,
    );
    panel.series.forEach((series, index) => {
        const stat = stats[index];
        const middle = plotTop + rowHeight * (index + 0.5);
        const half = Math.min(14, rowHeight * 0.3);
        const [p5, p25, median, p75, p95, meanX] = [
            stat.p5,
            stat.p25,
            stat.median,
            stat.p75,
            stat.p95,
            stat.mean,
        ].map(value => fixed(scale(value)));
        out.push(
            `<text x="${plotLeft - 8}" y="${fixed(middle + 4)}" text-anchor="end">${escape(series.label)}</text>`,
            `<line x1="${p5}" y1="${fixed(middle)}" x2="${p95}" y2="${fixed(middle)}" stroke="${series.color}" stroke-width="1.5"/>`,
            `<line x1="${p5}" y1="${fixed(middle - half / 2)}" x2="${p5}" y2="${fixed(middle + half / 2)}" stroke="${series.color}" stroke-width="1.5"/>`,
            `<line x1="${p95}" y1="${fixed(middle - half / 2)}" x2="${p95}" y2="${fixed(middle + half / 2)}" stroke="${series.color}" stroke-width="1.5"/>`,
            `<rect x="${p25}" y="${fixed(middle - half)}" width="${fixed(Math.max(1, Number(p75) - Number(p25)))}" height="${fixed(half * 2)}" fill="${series.color}" fill-opacity="0.25" stroke="${series.color}" stroke-width="1.5"/>`,
            `<line x1="${median}" y1="${fixed(middle - half)}" x2="${median}" y2="${fixed(middle + half)}" stroke="${series.color}" stroke-width="3"/>`,
            `<circle cx="${meanX}" cy="${fixed(middle)}" r="3.5" fill="#ffffff" stroke="${series.color}" stroke-width="1.5"/>`,
        );
    });
    if (panel.reference) {
        const rx = fixed(scale(panel.reference.value));
        out.push(
            `<line x1="${rx}" y1="${plotTop - 4}" x2="${rx}" y2="${plotTop + plotHeight}" stroke="#777777" stroke-dasharray="4 3"/>`,
            `<text x="${rx}" y="${plotTop - 7}" text-anchor="middle" font-size="10" fill="#555555">${escape(panel.reference.label)}</text>`,
        );
    }
    return out;
}

function fixed(value: number): string {
    return value.toFixed(1);
}

function round(value: number): number {
    return Math.round(value * 1e6) / 1e6;
}

function escape(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
