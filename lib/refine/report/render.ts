import { barChart, escapeHtml, lineChart, type Series } from './charts';

/** What the report shows, gathered from the gold queries (lib/refine/report/report-job.ts). */
export interface ReportData {
  /** When the report was made (ISO). */
  generatedAt: string;
  /** When the extract behind `data/` finished (ISO), if the lake has a manifest. */
  dataFinishedAt: string | undefined;
  window: { since: string | undefined; until: string | undefined };
  daily: {
    teamId: string;
    teamName: string | null;
    day: string;
    conversations: number;
    medianFirstResponseMinutes: number | null;
  }[];
  anomalies: {
    teamId: string;
    day: string;
    metric: string;
    value: number;
    median: number;
    mad: number;
    score: number;
  }[];
  teams: {
    teamId: string;
    name: string | null;
    medianFirstResponseMinutes: number | null;
    conversations: number;
  }[];
  top: { kind: string; id: string; name: string | null; conversations: number }[];
}

const HOUR_MS = 3_600_000;

function teamLabel(id: string, name: string | null): string {
  return name ?? `team ${id}`;
}

/** "3.5 hours" between two ISO times. */
function age(from: string, to: string): string {
  const hours = (Date.parse(to) - Date.parse(from)) / HOUR_MS;
  return hours < 48 ? `${hours.toFixed(1)} hours` : `${(hours / 24).toFixed(1)} days`;
}

/** The report page: HTML with inline CSS and SVG only, so it opens offline from S3 or a laptop. */
export function renderReport(data: ReportData): string {
  const days = [...new Set(data.daily.map((d) => d.day))].sort();
  const teamIds = [...new Set(data.daily.map((d) => d.teamId))].sort();
  const flagged = new Set(
    data.anomalies.filter((a) => a.metric === 'conversations').map((a) => `${a.teamId}|${a.day}`),
  );
  const volume: Series[] = teamIds.map((teamId) => {
    const rows = data.daily.filter((d) => d.teamId === teamId);
    return {
      label: teamLabel(teamId, rows[0]?.teamName ?? null),
      points: rows.map((r) => ({
        day: r.day,
        value: r.conversations,
        anomaly: flagged.has(`${teamId}|${r.day}`),
      })),
    };
  });
  const flaggedResponse = new Set(
    data.anomalies.filter((a) => a.metric !== 'conversations').map((a) => `${a.teamId}|${a.day}`),
  );
  const responseOverTime: Series[] = teamIds.map((teamId) => {
    const rows = data.daily.filter((d) => d.teamId === teamId);
    return {
      label: teamLabel(teamId, rows[0]?.teamName ?? null),
      points: rows.map((r) => ({
        day: r.day,
        value: r.medianFirstResponseMinutes,
        anomaly: flaggedResponse.has(`${teamId}|${r.day}`),
      })),
    };
  });
  const responseBars = data.teams
    .filter((t) => t.medianFirstResponseMinutes !== null)
    .map((t) => ({ label: teamLabel(t.teamId, t.name), value: t.medianFirstResponseMinutes ?? 0 }));
  const topBars = (kind: string) =>
    data.top.filter((t) => t.kind === kind).map((t) => ({ label: t.name ?? t.id, value: t.conversations }));
  const windowText =
    data.window.since || data.window.until
      ? `${data.window.since ?? 'the first conversation'} to ${data.window.until ?? 'the last'}`
      : 'every conversation in the lake';
  const freshness = data.dataFinishedAt
    ? `Data extracted ${escapeHtml(data.dataFinishedAt)} (${age(data.dataFinishedAt, data.generatedAt)} before this report).`
    : 'The lake has no manifest of a finished extract.';
  const anomalyRows = data.anomalies
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.teamId)}</td><td>${escapeHtml(a.day)}</td><td>${escapeHtml(a.metric)}</td><td>${a.value}</td><td>${a.median}</td><td>${a.mad}</td><td>${a.score.toFixed(2)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Intercom support report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
section { margin-bottom: 28px; }
.freshness { padding: 8px 12px; background: #eef5ff; border-left: 4px solid #1f77b4; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
</style>
</head>
<body>
<h1>Intercom support report</h1>
<p class="freshness" data-section="freshness">${freshness} Report made ${escapeHtml(data.generatedAt)}. Window: ${escapeHtml(windowText)}.</p>
<section>${lineChart('daily-volume', 'Conversations per day by team (red rings: unusual days)', days, volume)}</section>
<section>${lineChart('daily-first-response', 'Median minutes to first response per day by team (red rings: unusual days)', days, responseOverTime)}</section>
<section class="charts">
${barChart('first-response', 'Median minutes to first response by team', responseBars, ' min')}
${barChart('top-companies', 'Companies with the most conversations', topBars('company'))}
${barChart('top-tags', 'Tags with the most conversations', topBars('tag'))}
</section>
<section>
<h2>Unusual days</h2>
<table data-section="anomalies"><tr><th>team</th><th>day</th><th>measure</th><th>value</th><th>median</th><th>MAD</th><th>score</th></tr>
${anomalyRows || '<tr><td colspan="7">none</td></tr>'}
</table>
</section>
</body>
</html>
`;
}
