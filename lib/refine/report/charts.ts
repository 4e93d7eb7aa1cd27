/**
 * Inline SVG charts for the report page: plain strings, no library and nothing fetched when the
 * page is viewed. Each chart is an `<svg data-chart="…">`; bars are `rect.bar`, points
 * `circle.point`, anomalies `circle.anomaly` (the report test counts them).
 */

/** `text` safe inside HTML and SVG text and attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Colours for series, in order (readable on white, distinct for common colour blindness). */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];
const ANOMALY_COLOUR = '#d62728';

/** One bar of a bar chart. */
export interface Bar {
  label: string;
  value: number;
}

/** A horizontal bar chart of `bars`, values printed at the end of each bar. */
export function barChart(chart: string, title: string, bars: readonly Bar[], unit = ''): string {
  const rowHeight = 28;
  const labelWidth = 160;
  const width = 560;
  const plotWidth = width - labelWidth - 70;
  const height = Math.max(1, bars.length) * rowHeight + 40;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((bar, i) => {
    const y = 30 + i * rowHeight;
    const w = Math.max(1, (bar.value / max) * plotWidth);
    return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="13">${escapeHtml(bar.label)}</text>
<rect class="bar" x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${PALETTE[0]}"><title>${escapeHtml(`${bar.label}: ${bar.value}${unit}`)}</title></rect>
<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 15}" font-size="12">${formatNumber(bar.value)}${escapeHtml(unit)}</text>`;
  });
  const empty = bars.length === 0 ? `<text x="${labelWidth}" y="45" font-size="13">no data</text>` : '';
  return `<svg data-chart="${escapeHtml(chart)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">
<text x="0" y="18" font-size="15" font-weight="bold">${escapeHtml(title)}</text>
${rows.join('\n')}${empty}
</svg>`;
}

/** One line of a line chart: a value per day (null: no point that day). */
export interface Series {
  label: string;
  points: readonly { day: string; value: number | null; anomaly?: boolean }[];
}

/** A line chart over days, one line per series; anomalies are red rings over their points. */
export function lineChart(
  chart: string,
  title: string,
  days: readonly string[],
  series: readonly Series[],
): string {
  const width = 760;
  const height = 300;
  const left = 48;
  const right = 150;
  const top = 30;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.value ?? 0)));
  const x = (day: string): number =>
    left + (days.length <= 1 ? plotW / 2 : (days.indexOf(day) / (days.length - 1)) * plotW);
  const y = (value: number): number => top + plotH - (value / max) * plotH;
  const axis = `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#999"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#999"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11">${formatNumber(max)}</text>
<text x="${left - 6}" y="${top + plotH}" text-anchor="end" font-size="11">0</text>
${days.length > 0 ? `<text x="${left}" y="${height - 18}" font-size="11">${escapeHtml(days[0]!)}</text><text x="${left + plotW}" y="${height - 18}" text-anchor="end" font-size="11">${escapeHtml(days.at(-1)!)}</text>` : ''}`;
  const lines = series.map((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const present = s.points.filter(
      (p): p is { day: string; value: number; anomaly?: boolean } => p.value !== null,
    );
    const path = present.map((p) => `${x(p.day).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    const dots = present
      .map(
        (p) =>
          `<circle class="point" cx="${x(p.day).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="${colour}"><title>${escapeHtml(`${s.label} ${p.day}: ${formatNumber(p.value)}`)}</title></circle>` +
          (p.anomaly
            ? `<circle class="anomaly" cx="${x(p.day).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="8" fill="none" stroke="${ANOMALY_COLOUR}" stroke-width="2.5"><title>${escapeHtml(`unusual: ${s.label} ${p.day}`)}</title></circle>`
            : ''),
      )
      .join('');
    const legendY = top + 16 + i * 18;
    return `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}
<rect x="${width - right + 12}" y="${legendY - 10}" width="12" height="12" fill="${colour}"/><text x="${width - right + 30}" y="${legendY}" font-size="12">${escapeHtml(s.label)}</text>`;
  });
  return `<svg data-chart="${escapeHtml(chart)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">
<text x="0" y="18" font-size="15" font-weight="bold">${escapeHtml(title)}</text>
${axis}
${lines.join('\n')}
</svg>`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
