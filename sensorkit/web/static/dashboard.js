// The clinician dashboard: the patient list, a patient page, a recording page; drawn from the
// JSON the server builds with sensorkit.report (the same code as `sensorkit report`).
"use strict";

const KIND_COLOURS = { full: "#2a9d4a", partial: "#e79a1c", knee_out: "#3b6fc4", rejected: "#9a9a9a" };
const KIND_WORDS = { full: "full", partial: "partial", knee_out: "knee out", rejected: "rejected" };
const EXERCISE_WORDS = { hip_external_rotation: "hip external rotation", knee_extension: "knee extension" };
// how a session without data ended (its sidecar's stream.ended_by), said before its error line when it has one
const ENDED_WORDS = { refused: "refused", gave_up: "gave up", closed: "closed" };
const ENDED_ALONE = { refused: "refused: the sensor would not stream as asked", gave_up: "gave up: no link within the give-up time",
  closed: "closed: stopped before any sample came" };
function endedHow(t) {
  if (!t.ended_by) return t.error || "ended before any sample came";
  return t.error ? `${ENDED_WORDS[t.ended_by] || t.ended_by}: ${t.error}` : ENDED_ALONE[t.ended_by] || t.ended_by;
}
const view = document.getElementById("view");
const crumbs = document.getElementById("crumbs");

// (a wide table scrolls inside its own box: the page itself never scrolls sideways on a phone)
function wrap(table) { return `<div class="table-wrap">${table}</div>`; }
// On a phone (dashboard.css, under 600 px) a table of class "stack" draws each row as a card: its key
// columns on a first line under the column heads, its cells of class "opt" after them, each with its
// data-label ("tempo fast"). Nothing is hidden, nothing scrolls sideways. Explicit roles keep the
// table a table for a screen reader once CSS has changed how its rows display.
const ROLES = { TABLE: "table", THEAD: "rowgroup", TBODY: "rowgroup", TR: "row", TH: "columnheader", TD: "cell" };
function keepTableRoles(root) {
  for (const table of root.querySelectorAll("table.stack")) {
    for (const el of [table, ...table.querySelectorAll("thead, tbody, tr, th, td")]) {
      if (el.closest("table") === table) el.setAttribute("role", ROLES[el.tagName]);
    }
  }
}
function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function fmt(x, digits = 1) { return x === null || x === undefined ? "–" : Number(x).toFixed(digits); }
// (a number with its unit, or "–" alone: no unit after a number that is not there)
function withUnit(x, unit, digits = 1) { return x === null || x === undefined ? "–" : `${fmt(x, digits)}${unit}`; }
// The current 30-day period as summary.csv has it: its days with data of its days so far (a period of a
// prescription shorter than 30 days, or one begun lately, has fewer than 30)
function periodDays(c) { return c ? `${c.days_with_data} of ${c.days}` : "–"; }
// a date as HTML, never broken at its hyphens on a narrow screen
function dateHTML(iso) { return `<span class="date">${esc(iso)}</span>`; }
function band(pct) { return pct === null || pct === undefined ? "" : pct >= 80 ? "good" : pct >= 50 ? "mid" : "low"; }
function pctCell(pct, col) {
  const w = pct === null ? 0 : Math.min(pct, 100);
  return `<td class="num" data-col="${col}" data-value="${pct === null ? "" : fmt(pct)}"><span class="pct">` +
    `<span class="bar"><i class="${band(pct)}" style="width:${w}%"></i></span>${pct === null ? "–" : fmt(pct) + " %"}</span></td>`;
}
async function getJSON(url) {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`${res.status}: ${(await res.text()).trim()}`);
  return res.json();
}
function when(iso) {  // "2026-12-06T10:15-05:00" -> "2026-12-06 10:15 (UTC-05:00)"
  if (!iso) return "–";
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/.exec(iso);
  if (!m) return iso.replace("T", " ");
  return `${m[1]} ${m[2]}${m[3] ? ` (UTC${m[3] === "Z" ? "" : m[3].replace("-", "−")})` : ""}`;
}
// when(), as HTML: the time zone in a span of its own (on a phone, smaller: it fits its column unbroken)
function whenHTML(iso) {
  const text = when(iso), zone = text.indexOf(" (UTC");
  return zone < 0 ? esc(text) : `${esc(text.slice(0, zone))} <span class="tz">${esc(text.slice(zone + 1))}</span>`;
}

// One exercise of a prescription in words: "hip external rotation (left): 2 × 10 reps, ≥ 30° held ≥ 5 s, every day"
function planWords(q) {
  return `${esc(EXERCISE_WORDS[q.name] || q.name)} (${q.sides.join(", ")}): ${q.sets} × ${q.reps_per_set} reps,
    ≥ ${q.rom_deg}° held ≥ ${q.hold_s} s, ${q.days_per_week === 7 ? "every day" : `any ${q.days_per_week} day${q.days_per_week > 1 ? "s" : ""} a week`}${q.sessions_per_day > 1 ? `, ${q.sessions_per_day} sessions a day` : ""}${q.knee_out ? ", knee-out variant" : ""}`;
}
// The report's day, in progress, apart from the 7- and 30-day means (which are over days that are over):
// [the short value, the words after it]; null when it is no day of the prescription
function todayWords(t) {
  if (!t) return null;
  if (t.reps_prescribed) {
    const parts = t.parts.filter((q) => q.reps_prescribed);
    return [`${t.reps_completed} of ${t.reps_prescribed}`, "reps completed so far" + (parts.length > 1 ? ": " + parts.map((q) =>
      `${EXERCISE_WORDS[q.exercise] || q.exercise} ${q.side} ${q.reps_completed} of ${q.reps_prescribed}`).join(", ") : "") +
      (t.recordings_failed ? `; ${t.recordings_failed} recording(s) could not be read` : "")];
  }
  return t.reps_completed ? [`${t.reps_completed} reps`, "completed so far; none due today (the week's exercise days are others)"]
    : ["none due", "no reps due today (the week's exercise days still owed come on its last days)"];
}

// ---- patient list -------------------------------------------------------------------------
async function listPage() {
  crumbs.textContent = "";
  const data = await getJSON("/api/patients");
  const rows = data.patients.map((p) => `
    <tr class="click" data-patient="${esc(p.patient)}" onclick="location.href='/patient/${encodeURIComponent(p.patient)}'">
      <td data-col="patient"><a href="/patient/${encodeURIComponent(p.patient)}">${esc(p.patient)}</a></td>
      <td class="opt" data-col="exercises" data-label="exercises">${p.exercises.map((e) => esc(EXERCISE_WORDS[e] || e)).join(", ")}</td>
      ${pctCell(p.adherence_7d_pct, "adherence_7d_pct")}
      ${pctCell(p.adherence_30d_pct, "adherence_30d_pct")}
      <td class="opt" data-col="today" data-label="today so far" title="${esc((todayWords(p.today) || ["", ""])[1])}">${todayWords(p.today)
        ? esc(todayWords(p.today)[0] + (p.today.reps_prescribed ? " reps" : "")) : "–"}</td>
      <td class="num opt" data-col="days_with_data" data-label="days with data" data-value="${p.current_period ? p.current_period.days_with_data : ""}">${p.current_period
        ? `${p.current_period.days_with_data} <span class="dim">of ${p.current_period.days} (30-day period ${p.current_period.period}: <span class="date">${p.current_period.start}</span> – <span class="date">${p.current_period.end}</span>)</span>`
        : `– <span class="dim">(starts ${p.start})</span>`}</td>
      <td data-col="last_session">${whenHTML(p.last_session)}</td>
      <td class="num opt" data-col="sessions" data-label="sessions">${p.sessions}${p.sessions_without_data
        ? ` <span class="dim">+ ${p.sessions_without_data} without data</span>` : ""}${p.sessions_dated_after
        ? ` <span class="after-badge" title="dated after the report's day (the recorder's clock ahead?): counted on no day">+ ${p.sessions_dated_after} dated after ${esc(p.report_day)}</span>` : ""}</td>
    </tr>`).join("");
  const problems = [...data.failed.map((f) => ["failed", f]), ...data.skipped.map((f) => ["skipped", f])];
  view.innerHTML = `
    <h1>Patients</h1>
    <p class="hint">Adherence: completed reps (reaching the prescribed ROM and hold) over prescribed reps, per exercise day and side,
      an exercise day without data counting 0 %; the last 7 and 30 days are days that are over, up to ${esc([...new Set(data.patients.map((q) => q.adherence_until).filter(Boolean))].join(" or ") || "yesterday")}
      (the day before the report's day ${esc([...new Set(data.patients.map((q) => q.report_day))].join(" or "))}, in the patient's time zone, or the prescription's end);
      the report's day, not over yet, is shown apart: today's reps so far.</p>
    ${wrap(`<table id="patients" class="stack"><thead><tr><th data-col="patient">Patient</th><th class="opt" data-col="exercises">Exercises</th>
      <th class="num" data-col="adherence_7d_pct">Adherence 7 days</th><th class="num" data-col="adherence_30d_pct">Adherence 30 days</th>
      <th class="opt" data-col="today">Today so far</th>
      <th class="num opt" data-col="days_with_data">Days with data</th><th data-col="last_session">Last session</th>
      <th class="num opt" data-col="sessions">Sessions</th></tr></thead>
      <tbody>${rows}</tbody></table>`)}
    ${(data.prescriptions_failed || []).length ? `<h2>Prescriptions not read (${data.prescriptions_failed.length}): their patients are missing</h2>` +
      wrap(`<table id="prescriptions-failed" class="stack"><tbody>` + data.prescriptions_failed.map((f) =>
        `<tr><td data-col="file">${esc(f.file)}</td><td class="dim opt" data-col="reason">${esc(f.reason)}</td></tr>`).join("") + "</tbody></table>") : ""}
    ${problems.length ? `<h2>Recordings not in the report (${problems.length})</h2>` + wrap(`<table id="problems" class="stack"><tbody>` +
      problems.map(([k, f]) => `<tr><td data-col="outcome">${k}</td><td data-col="recording">${esc(f.recording)}</td>` +
        `<td class="dim opt" data-col="reason">${esc(f.reason)}</td></tr>`).join("") +
      "</tbody></table>") : ""}`;
  keepTableRoles(view);
}

// ---- patient page -------------------------------------------------------------------------
//: what a calendar day's colour means, in the legend under it (the same classes as the days)
const CALENDAR_KEYS = [
  ["good", "done: 80 % or more of the reps"], ["mid", "partly: 50–80 %"], ["low", "missed or under 50 %"],
  ["triedonly", "tried, nothing recorded: the day's sessions all ended before any sample came (no reps: 0 %)"],
  ["lost", "data lost: a recording could not be read"], ["inprogress", "in progress: the report's day, reps still to do"],
  ["off", "not scheduled: no exercise day (an extra day, beyond the week's days a week, with a session: its reps completed of those counted)"],
  ["future", "still to come"],
  ["today", "today (the report's day)"], ["data", "a recording that day"],
  ["tried", "a session tried, no data: it ended before any sample came (the day's text says why)"],
  ["flagged", "a session flagged: another exercise? or the sensor moved? (its stray reps left out of the ROM per day)"],
];
function calendar(days, today) {
  if (!days.length) return "<p class='dim'>no days yet</p>";
  const first = new Date(days[0].date + "T00:00:00Z");
  const pad = (first.getUTCDay() + 6) % 7;  // Monday first
  const head = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((d) => `<div class="dow" aria-hidden="true">${d}</div>`).join("");
  const blanks = "<div></div>".repeat(pad);
  const used = new Set();
  const cells = days.map((d) => {
    // (a day whose recording could not be read: its adherence is unknown, not 0 %)
    const lost = d.scheduled && !d.future && d.adherence_pct === null && d.recordings_failed > 0;
    // (the report's day, not over: not missed while reps are still to do; the reps so far shown)
    const going = d.scheduled && !d.future && !lost && d.in_progress;
    const tried = d.tried || [], nTried = d.sessions_without_data || 0;
    // (a scheduled day, over, whose sessions all ended before any sample came: not adherent, no reps,
    // but not a day with nothing either: the patient tried, the sensor did not stream. Its own fill
    // and words, not a missed day's red "0%"; its adherence stays 0 %, as in the report)
    const triedOnly = d.scheduled && !d.future && !lost && !going && !d.has_data && nTried > 0;
    const cls = d.future ? "future" : !d.scheduled ? "off" : lost ? "lost" : going ? "inprogress"
      : triedOnly ? "triedonly" : band(d.adherence_pct ?? 0);
    used.add(cls); if (d.has_data) used.add("data"); if (d.date === today) used.add("today");
    if (nTried) used.add("tried");
    const flagged = d.flagged || [];
    if (flagged.length) used.add("flagged");
    // (a day beyond the week's exercise days with a session: an extra day, its reps shown, whatever they
    // completed: exercise on other days is worth seeing, and 0 of 31 is not "nothing")
    const extra = !d.scheduled && !d.future && (d.has_data || nTried > 0 || d.recordings_failed > 0);
    const value = lost ? "?" : going ? `${d.reps_completed}/${d.reps_prescribed}` : triedOnly ? "tried"
      : d.scheduled && !d.future ? `${fmt(d.adherence_pct ?? 0, 0)}%`
      : extra && d.has_data ? `${d.reps_completed} reps` : "";
    // (an extra day's reps completed "of" those counted: 0 of 31 is not a day with nothing)
    const note = triedOnly ? "no data" : nTried && !d.has_data ? "tried" : extra && d.has_data ? `of ${d.reps_total}` : "";
    // (per exercise and side when there are several: one side's extra reps do not hide another's missing ones)
    const parts = (d.parts || []).filter((q) => q.reps_prescribed);
    const counts = (parts.length > 1 ? parts.map((q) => `${EXERCISE_WORDS[q.exercise] || q.exercise} ${q.side} ${q.reps_completed} of ${q.reps_prescribed}`).join(", ")
      : `${d.reps_completed} of ${d.reps_prescribed}`) + " reps completed" +
      // (reps of an exercise not scheduled that day: said apart, not counted toward the day)
      (d.scheduled ? (d.parts || []).filter((q) => !q.reps_prescribed && q.reps_completed)
        .map((q) => `, +${q.reps_completed} ${EXERCISE_WORDS[q.exercise] || q.exercise} ${q.side} reps (not scheduled)`).join("") : "");
    const title = `${d.date}: ${d.scheduled ? `${counts}${going ? " so far, day in progress" : ""}`
      : extra ? `not scheduled, an extra day: ${d.has_data ? `${d.reps_completed} of ${d.reps_total} counted reps completed` : "no reps"} (the week's exercise days are others)`
      : "not scheduled"}` +
      `${d.recordings_failed ? `, ${d.recordings_failed} recording(s) could not be read: data lost, adherence unknown` : ""}` +
      // (sessions tried that brought no samples: when, and why each ended; such a day is not one with nothing)
      `${nTried ? `, ${nTried} session${nTried > 1 ? "s" : ""} tried without data: ` + tried.map((t) =>
        `${when(t.started).slice(11, 16)} ${EXERCISE_WORDS[t.exercise] || t.exercise} ${t.side}, ${endedHow(t)}`).join("; ") : ""}` +
      `${d.has_data || d.recordings_failed || nTried ? "" : d.future ? "" : ", no recording"}` +
      // (a session flagged: probably another exercise, or the sensor moved; its stray reps not in the ROM per day)
      flagged.map((f) => `; ${f.recording} flagged: ${f.words} (its stray reps left out of the ROM per day)`).join("") +
      `${d.date === today ? " (today)" : ""}`;
    // (the day's meaning is also in its text, for a screen reader: a title is read by few)
    return `<div class="day ${cls}${d.has_data ? " data" : ""}${nTried ? " tried" : ""}${flagged.length ? " flagged" : ""}${d.date === today ? " today" : ""}" title="${esc(title)}"
      ${d.date === today ? 'aria-current="date"' : ""} data-date="${d.date}"
      data-adherence="${d.adherence_pct === null ? "" : fmt(d.adherence_pct)}" data-completed="${d.reps_completed}"
      data-prescribed="${d.reps_prescribed}" data-has-data="${d.has_data}" data-without-data="${nTried}" data-flagged="${esc(flagged.map((f) => f.flag).join(" "))}"><span aria-hidden="true">${Number(d.date.slice(8))}${flagged.length ? '<span class="flag-mark">⚠</span>' : ""}<span class="v">${value}</span>${note ? `<span class="t">${note}</span>` : ""}</span><span class="sr-only">${esc(title)}</span></div>`;
  }).join("");
  const legend = CALENDAR_KEYS.filter(([key]) => used.has(key) || ["good", "mid", "low", "off"].includes(key))
    .map(([key, text]) => `<span data-key="${key}"><i class="swatch ${key}" aria-hidden="true"></i>${text}</span>`).join("");
  return `<div class="calendar" id="calendar">${head}${blanks}${cells}</div>
    <div class="legend" id="calendar-legend" aria-label="calendar legend">${legend}</div>`;
}

// A chart's legend as its series are drawn (uPlot's own draws every series as an empty square): per
// series a short line in its colour, width and dash, with its point marker where the series shows
// points, and its label; a button that hides or shows the series. live: each series' value at the
// cursor after its label, and the x series' first.
function chartLegend(u, el, { live = false } = {}) {
  const val = (v, i) => (typeof v === "function" ? v(u, i) : v);
  const line = (s, i) => {
    const stroke = val(s.stroke, i), width = s.width ?? 1, dash = s.dash ? ` stroke-dasharray="${s.dash.join(" ")}"` : "";
    const point = s.points && val(s.points.show, i) === true ? `<circle cx="14" cy="7" r="${(s.points.size ?? 6) / 2 - 0.5}"
      fill="${esc(val(s.points.fill, i) ?? "#fff")}" stroke="${esc(val(s.points.stroke, i) ?? stroke)}" stroke-width="${s.points.width ?? width}"/>` : "";
    return `<svg class="marker" width="28" height="14" viewBox="0 0 28 14" aria-hidden="true"><line x1="1" y1="7" x2="27" y2="7"
      stroke="${esc(stroke)}" stroke-width="${width}"${dash}/>${point}</svg>`;
  };
  const value = (i) => (live ? `<span class="value" data-series="${i}">–</span>` : "");
  const list = document.createElement("ul");
  list.className = "chart-legend";
  list.id = `${el.id}-legend`;
  list.setAttribute("aria-label", "chart legend: each button hides or shows its series");
  list.innerHTML = (live ? `<li class="x">${esc(u.series[0].label)}${value(0)}</li>` : "") + u.series.slice(1).map((s, k) =>
    `<li><button type="button" aria-pressed="true" data-series="${k + 1}" data-stroke="${esc(val(s.stroke, k + 1))}">` +
    `${line(s, k + 1)}<span class="label">${esc(s.label)}</span></button>${value(k + 1)}</li>`).join("");
  el.appendChild(list);
  for (const button of list.querySelectorAll("button")) {
    button.addEventListener("click", () => {
      const show = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(show));
      u.setSeries(Number(button.dataset.series), { show });
    });
  }
  if (live) {
    u.hooks.setCursor = [...(u.hooks.setCursor || []), () => {
      const idx = u.cursor.idx;
      for (const span of list.querySelectorAll(".value")) {
        const v = idx === null || idx === undefined ? null : u.data[Number(span.dataset.series)][idx];
        span.textContent = v === null || v === undefined ? "–" : fmt(v, span.dataset.series === "0" ? 2 : 1);
      }
    }];
  }
  return list;
}

function romChart(el, p) {
  const dates = [...new Set(p.rom.map((r) => r.date))].sort();
  const xs = dates.map((d) => Date.parse(d + "T12:00:00Z") / 1000);
  const keys = [...new Set(p.rom.map((r) => `${r.exercise}|${r.side}`))];
  const palette = ["#17324d", "#2a9d4a", "#b5651d", "#7b3fb0"];
  const series = [{}], data = [xs];
  keys.forEach((key, i) => {
    const [exercise, side] = key.split("|");
    // (the mean ROM of full reps against the target: partial and knee-out reps are no measure of the range)
    const byDate = Object.fromEntries(p.rom.filter((r) => r.exercise === exercise && r.side === side).map((r) => [r.date, r.rom_full_mean_deg]));
    data.push(dates.map((d) => byDate[d] ?? null));
    series.push({ label: `${EXERCISE_WORDS[exercise] || exercise} (${side}) mean ROM of full reps °`, stroke: palette[i % palette.length], width: 2,
      points: { show: true, size: 7 }, spanGaps: true });
    // (each day's target is the prescription's in force that day: a changed prescription's target steps)
    const targets = dates.map((d) => {
      const period = (p.prescriptions || []).find((q) => q.start <= d && (!q.end || d <= q.end));
      const plan = period && period.plans.find((q) => q.name === exercise);
      return plan && plan.sides.includes(side) ? plan.rom_deg : null;
    });
    const shown = targets.filter((v) => v !== null).filter((v, k, all) => k === 0 || v !== all[k - 1]);  // (each change once)
    data.push(targets);
    // (stepped: a target holds until the day it changes, never a slope between two prescriptions)
    series.push({ label: `target ${shown.map((v) => `${v}°`).join(", then ") || "–"}`, stroke: palette[i % palette.length], dash: [6, 5],
      width: 1.5, points: { show: false }, paths: uPlot.paths.stepped({ align: 1 }) });
  });
  if (!dates.length) { el.innerHTML = "<p class='dim'>no reps yet</p>"; return; }
  // (date labels thinned to the room there is: one "MM-DD" label per DATE_LABEL_PX of plot at most, so
  // that none overlaps its neighbour on a phone; every day keeps its point)
  const DATE_LABEL_PX = 52, Y_AXIS_PX = 80;
  const dateSplits = (u) => {
    const room = Math.max(1, Math.floor((u.width - Y_AXIS_PX) / DATE_LABEL_PX));
    const every = Math.max(1, Math.ceil(xs.length / room));
    return xs.filter((_, i) => i % every === 0);
  };
  const width = () => Math.min(el.clientWidth - 10 || 900, 1100);
  const chart = new uPlot({ width: width(), height: 260, series, legend: { show: false },
    axes: [{ splits: dateSplits, values: (u, splits) => splits.map((v) => new Date(v * 1000).toISOString().slice(5, 10)) },
           { label: "ROM (°)" }],
    scales: { x: { time: false, range: [xs[0] - 43200, xs[xs.length - 1] + 43200] } } }, data, el);
  window.skRomChart = chart;
  chartLegend(chart, el);
  window.addEventListener("resize", () => chart.setSize({ width: width(), height: 260 }));
}

// Week by week, as weekly.csv: days with exercise of the days due, reps completed of those prescribed,
// the mean adherence of its exercise days that are over; a week not over says so
function weeksTable(weeks) {
  if (!weeks.length) return "<p class='dim' id='no-weeks'>no week yet</p>";
  const several = new Set(weeks.map((w) => `${w.exercise}|${w.side}`)).size > 1;
  return `<p class="hint">Weeks of 7 days from each prescription's start. Days with exercise of the days due (any
    days_per_week days of each week; extra days counted), reps completed of those prescribed (extra days' included).</p>` +
    wrap(`<table id="weeks" class="stack"><thead><tr><th data-col="week">Week</th><th data-col="dates">Dates</th>
      ${several ? '<th class="opt" data-col="exercise">Exercise</th>' : ""}
      <th class="num" data-col="days">Days with exercise / due</th><th class="num" data-col="reps">Reps completed / prescribed</th>
      <th class="num opt" data-col="adherence">Adherence</th></tr></thead><tbody>` +
      weeks.map((w) => `<tr data-week="${w.week}" data-start="${w.week_start}"${w.week_in_progress ? ' class="in-progress"' : ""}>
        <td data-col="week">${w.week}</td>
        <td data-col="dates"><span class="date">${w.week_start}</span> – <span class="date">${w.week_end}</span>${w.week_in_progress
          ? ` <span class="dim">(in progress: ${w.days} of its days so far)</span>` : ""}</td>
        ${several ? `<td class="opt" data-col="exercise">${esc(EXERCISE_WORDS[w.exercise] || w.exercise)} ${w.side}</td>` : ""}
        <td class="num" data-col="days">${w.days_with_exercise} / ${w.days_due}</td>
        <td class="num" data-col="reps">${w.reps_completed} / ${w.reps_prescribed}</td>
        <td class="num opt" data-col="adherence" data-label="adherence">${withUnit(w.adherence_mean_pct, " %")}</td></tr>`).join("") +
      "</tbody></table>");
}

// (what a flag says, on the session's badge)
const FLAG_TITLES = {
  another_exercise: "most of its movements went beyond this exercise's range: was another exercise recorded? Its reps are left out of the range of motion per day",
  sensor_moved: "reps after counted ones were rejected as turning about another axis: did the sensor turn on the leg? Its reps from then on are left out of the range of motion per day",
};
// Under the ROM chart's heading: which sessions' reps are not in it (flagged: another exercise?, sensor moved?)
function romNote(p) {
  const flagged = p.sessions.filter((s) => (s.flags || []).length);
  if (!flagged.length) return "";
  return `<p class="note" id="rom-left-out">Left out of the range of motion per day: the stray reps of ${flagged.length === 1
    ? "one session" : `${flagged.length} sessions`} flagged (${flagged.map((s) => `${esc(when(s.started))}: ${s.flags.map((f) => esc(f.words)).join(", ")}`).join("; ")});
    ${flagged.length === 1 ? "its" : "their"} reps still count in the reps and adherence.</p>`;
}

async function patientPage(id) {
  const p = await getJSON(`/api/patient/${encodeURIComponent(id)}`);
  crumbs.textContent = `› ${p.patient}`;
  document.title = `sensorkit · ${p.patient}`;
  const plans = p.plans.map(planWords).join("<br>");
  // (a prescription that changed: each period, its dates and what it prescribed, the one in force marked)
  const rxPeriods = p.prescriptions || [];
  const prescription = rxPeriods.length > 1 ? `<h2 id="prescriptions-head">Prescription periods (${rxPeriods.length})</h2>` +
    wrap(`<table id="prescriptions" class="stack"><thead><tr><th data-col="from">From</th><th data-col="to">To</th>
      <th data-col="state">Status</th><th data-col="prescribed">Prescribed</th><th class="opt" data-col="file">File</th></tr></thead><tbody>` +
      rxPeriods.map((q) => `<tr data-start="${q.start}" data-state="${esc(q.state)}"${q.state === "in force" ? ' class="in-force"' : ""}>
        <td data-col="from">${q.start}</td><td data-col="to">${q.end || "open-ended"}</td><td data-col="state">${esc(q.state)}</td>
        <td data-col="prescribed">${q.plans.map(planWords).join("<br>")}</td>
        <td class="opt dim" data-col="file" data-label="file">${esc(q.file)}</td></tr>`).join("") + "</tbody></table>")
    : `<p>${plans}</p>`;
  const today = todayWords(p.today);
  const until = p.adherence_until ? `<small class="dim">days over, to ${dateHTML(p.adherence_until)}</small>` : "";
  // (the records of sessions tried without data, among the others by start: "no data", why, nothing to open)
  const noData = (p.sessions_without_data || []).map((t) => ({ ...t, no_data: true }));
  const rowsOf = [...p.sessions, ...noData].sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : 0));
  const sessions = rowsOf.map((s) => s.no_data ? `
    <tr class="nodata" data-recording="${esc(s.recording)}" data-date="${s.date}" data-no-data="${esc(s.ended_by || "")}">
      <td data-col="started">${whenHTML(s.started)}</td>
      <td class="opt" data-col="exercise">${esc(EXERCISE_WORDS[s.exercise] || s.exercise)}</td><td class="opt" data-col="side" data-label="side">${s.side}</td>
      <td class="num opt" data-col="counted" data-label="counted">–</td><td class="num" data-col="completed">–</td>
      <td data-col="kinds" colspan="4"><span class="nodata-badge">no data</span> <span class="dim">${esc(endedHow(s))}</span></td>
    </tr>` : `
    <tr data-recording="${esc(s.recording)}" data-date="${s.date}" data-counted="${s.counted}" data-completed="${s.completed}"${(s.flags || []).length ? ` class="flagged" data-flags="${esc(s.flags.map((f) => f.flag).join(" "))}"` : ""}>
      <td data-col="started">${whenHTML(s.started)}</td>
      <td class="opt" data-col="exercise">${esc(EXERCISE_WORDS[s.exercise] || s.exercise)}</td><td class="opt" data-col="side" data-label="side">${s.side}</td>
      <td class="num opt" data-col="counted" data-label="counted">${s.counted}</td><td class="num" data-col="completed">${s.completed}</td>
      <td data-col="kinds">${["full", "partial", "knee_out", "rejected"].filter((k) => s.kinds[k]).map((k) => `<span class="kind ${k}">${KIND_WORDS[k]} ${s.kinds[k]}</span>`).join(" ")}
        ${s.fast ? `<span class="fast">${s.fast} rushed</span>` : ""}${(s.flags || []).map((f) =>
          ` <span class="flag-badge" title="${esc(FLAG_TITLES[f.flag] || "")}">⚠ ${esc(f.words)}</span>`).join("")}</td>
      <td class="num" data-col="rom_full_mean_deg"${(s.flags || []).length ? ' title="not in the range of motion per day: a flagged session"' : ""}>${fmt(s.rom_full_mean_deg)}</td>
      <td class="opt" data-col="reps"><button type="button" class="reps-toggle" aria-expanded="false" aria-controls="reps-${s.id}"
        aria-label="reps of ${esc(when(s.started))}">reps</button></td>
      <td class="opt" data-col="trace"><a href="/recording/${s.id}">trace</a></td>
    </tr>
    <tr class="reps-row" id="reps-${s.id}" hidden><td colspan="9" data-col="reps">${wrap(repTable(s.reps))}</td></tr>`).join("");
  const periods = p.summary.map((r) => `<tr><td data-col="period">${r.period}</td>
    <td class="opt" data-col="exercise">${esc(EXERCISE_WORDS[r.exercise] || r.exercise)}</td><td class="opt" data-col="side" data-label="side">${r.side}</td>
    <td data-col="dates"><span class="date">${r.period_start}</span> – <span class="date">${r.period_end}</span></td><td class="num opt" data-col="days_with_data" data-label="days with data">${r.days_with_data}</td>
    <td class="opt" data-col="band" data-label="band">${r.device_days_band}</td><td class="num" data-col="adherence">${fmt(r.adherence_mean_pct)} %</td>
    <td class="num opt" data-col="first_week" data-label="full-rep ROM first week">${withUnit(r.full_rom_first_week_mean_deg, "°")}</td>
    <td class="num opt" data-col="last_week" data-label="last week">${withUnit(r.full_rom_last_week_mean_deg, "°")}</td>
    <td class="num" data-col="change">${withUnit(r.full_rom_change_deg, "°")}</td></tr>`).join("");
  // (sessions dated after the report's day, a recorder's clock ahead: shown, flagged, counted on no day)
  const after = p.dated_after || [];
  const afterRows = after.map((s) => `<tr data-recording="${esc(s.recording)}" data-date="${s.date}">
      <td data-col="started">${whenHTML(s.started)}</td>
      <td class="opt" data-col="exercise">${esc(EXERCISE_WORDS[s.exercise] || s.exercise)}</td><td class="opt" data-col="side" data-label="side">${s.side}</td>
      <td class="num opt" data-col="counted" data-label="counted">${s.counted}</td><td class="num" data-col="completed">${s.completed}</td>
      <td data-col="trace"><a href="/recording/${s.id}">trace</a></td></tr>`).join("");
  // (after today: a day not come yet, the recorder's clock ahead?; after a day chosen with --as-of: later, not in this report)
  const afterNote = after.length ? `<p class="note" id="dated-after-note"><span class="after-badge">dated after ${esc(p.report_day)}</span>
    ${after.length === 1 ? "One recording is" : `${after.length} recordings are`} dated after the report's day (${esc(p.report_day)}${p.report_day_given ? ", --as-of" : ", today"})${p.report_day_given
      ? "" : ", on a day not come yet: the recorder's clock may be ahead"}. ${after.length === 1 ? "It is" : "They are"} counted on no day
    (not in the adherence, the days with data or the ROM); see “Dated after the report's day” below.</p>` : "";
  const started = p.current_period !== null;
  view.innerHTML = `
    <h1>Patient ${esc(p.patient)}</h1>
    <p class="dim">${esc(p.timezone)} · prescription from ${dateHTML(p.start)}${p.end ? ` to ${dateHTML(p.end)}` : ""} · as of ${dateHTML(p.report_day)}${p.as_of !== p.report_day ? ` (the prescription ended ${dateHTML(p.as_of)}: the 7 and 30 days shown end then)` : ""}</p>
    ${prescription}
    ${afterNote}
    <div class="cards">
      <div class="card" id="card-7d">Adherence, last 7 days<b>${withUnit(p.adherence_7d_pct, " %")}</b>${started ? until : `<small class="dim">starts ${esc(p.start)}</small>`}</div>
      <div class="card" id="card-30d">Adherence, last 30 days<b>${withUnit(p.adherence_30d_pct, " %")}</b>${started ? until : `<small class="dim">starts ${esc(p.start)}</small>`}</div>
      ${today ? `<div class="card" id="card-today">Today so far (${esc(p.today.date)})<b>${esc(today[0])}</b><small class="dim">${esc(today[1])}</small></div>` : ""}
      <div class="card" id="card-days">${started ? `Days with data, 30-day period ${p.current_period.period}` : "Days with data"}<b>${periodDays(p.current_period)}</b>
        <small class="dim">${started ? `${dateHTML(p.current_period.start)} – ${dateHTML(p.current_period.end)}` : "not begun"}</small></div>
      <div class="card" id="card-last">Last session<b style="font-size:1.1rem">${esc(when(p.last_session))}</b></div>
    </div>
    <h2>Adherence calendar</h2>${calendar(p.calendar, p.report_day)}
    <h2>Range of motion per day</h2>${romNote(p)}<div class="chart" id="rom-chart"></div>
    <h2 id="weeks-head">Week by week</h2>
    ${weeksTable(p.weeks || [])}
    <h2 id="periods-head">30-day periods <span class="dim">(counted from each prescription's start: a change starts a new one)</span></h2>
    ${!p.summary.length ? `<p class="dim" id="no-period">No period yet: the prescription starts ${esc(p.start)}.</p>` : wrap(`<table id="periods" class="stack"><thead><tr><th data-col="period">30-day period</th><th class="opt" data-col="exercise">Exercise</th>
      <th class="opt" data-col="side">Side</th><th data-col="dates">Dates</th><th class="num opt" data-col="days_with_data">Days with data</th>
      <th class="opt" data-col="band">Band</th><th class="num" data-col="adherence">Adherence</th>
      <th class="num opt" data-col="first_week">Full-rep ROM first week</th><th class="num opt" data-col="last_week">last week</th>
      <th class="num" data-col="change">Change</th></tr></thead>
      <tbody>${periods}</tbody></table>`)}
    <h2>Sessions (${p.sessions.length}${noData.length ? `, and ${noData.length} tried without data` : ""})</h2>
    ${wrap(`<table id="sessions" class="stack"><thead><tr><th data-col="started">Started</th><th class="opt" data-col="exercise">Exercise</th>
      <th class="opt" data-col="side">Side</th><th class="num opt" data-col="counted">Reps</th><th class="num" data-col="completed">Completed</th>
      <th data-col="kinds">Kinds</th><th class="num" data-col="rom_full_mean_deg"><span class="wide-text">Mean ROM of full reps °</span><span class="phone-text" aria-hidden="true">Full-rep ROM °</span></th>
      <th class="opt" data-col="reps"><span class="sr-only">reps</span></th><th class="opt" data-col="trace"><span class="sr-only">trace</span></th></tr></thead>
      <tbody>${sessions}</tbody></table>`)}
    ${after.length ? `<h2 id="dated-after-head">Dated after the report's day (${after.length}): counted on no day</h2>` +
      wrap(`<table id="dated-after" class="stack"><thead><tr><th data-col="started">Started</th><th class="opt" data-col="exercise">Exercise</th>
      <th class="opt" data-col="side">Side</th><th class="num opt" data-col="counted">Reps</th><th class="num" data-col="completed">Completed</th>
      <th data-col="trace"><span class="sr-only">trace</span></th></tr></thead><tbody>${afterRows}</tbody></table>`) : ""}`;
  keepTableRoles(view);
  romChart(document.getElementById("rom-chart"), p);
  // (a session's reps open in a row of their own below it, across the table: the session's columns keep their widths)
  for (const button of view.querySelectorAll(".reps-toggle")) {
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      document.getElementById(button.getAttribute("aria-controls")).hidden = !open;
    });
  }
}

// (completes() in sensorkit.report.prescription: a knee-out rep is a compensation, never a completed rep
// unless the knee-out variant is what was prescribed)
const KNEE_OUT_NOTE = "reached the targets, but knee-out reps never complete the prescription";
function repTable(reps) {
  return `<table class="reps stack"><thead><tr><th data-col="rep">#</th><th data-col="kind">kind</th><th class="num" data-col="rom">ROM °</th>
    <th class="num" data-col="hold">hold s</th><th class="opt" data-col="tempo">tempo</th><th class="opt" data-col="time">time s</th>
    <th class="opt" data-col="note"><span class="sr-only">note</span></th></tr></thead><tbody>` +
    reps.map((r) => `<tr data-kind="${r.kind}"><td data-col="rep">${r.rep ?? ""}</td><td data-col="kind"><span class="kind ${r.kind}">${KIND_WORDS[r.kind]}</span></td>
      <td class="num" data-col="rom" title="${r.peak_deg != null && r.rom_deg - r.peak_deg > 0.5 ? `whole arc from the swing's bottom ${fmt(r.rom_deg)}°` : ""}">${fmt(r.peak_deg ?? r.rom_deg)}</td><td class="num" data-col="hold">${r.kind === "rejected" ? "" : fmt(r.hold_s)}</td>
      <td class="opt" data-col="tempo" data-label="tempo">${r.tempo === "fast" ? '<span class="fast">fast</span>' : esc(r.tempo)}</td>
      <td class="opt" data-col="time" data-unit="s">${fmt(r.start_s)}–${fmt(r.end_s)}</td>
      <td class="dim opt" data-col="note">${r.kind === "rejected" ? esc(r.reason) : r.meets_target ? "meets target"
        : r.knee_out_not_completing ? `<span class="note" data-note="knee_out">${KNEE_OUT_NOTE}</span>` : esc(r.short_of)}</td></tr>`).join("") + "</tbody></table>";
}

function kneeOutNote(reps) {
  const n = reps.filter((rep) => rep.knee_out_not_completing).length;
  return !n ? "" : `<p class="note" id="knee-out-note">${n === 1 ? "One knee-out rep" : `${n} knee-out reps`} reached the ROM and hold
    targets but ${n === 1 ? "does" : "do"} not count as completed: a knee-out rep (the knee moved out, a compensation)
    never completes the prescription, unless the knee-out variant is what was prescribed.</p>`;
}

// ---- recording page -----------------------------------------------------------------------
//: the reader's warnings of a recording (a last line cut short: the recording stopped mid-line; lines
//: dropped; a start time without a zone, ...): what the numbers below may be missing
function warningsHTML(warnings) {
  return !warnings.length ? "" : `<div class="note" id="warnings"><h2>Warnings (${warnings.length})</h2>
    <ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></div>`;
}

async function recordingPage(id) {
  const r = await getJSON(`/api/recording/${encodeURIComponent(id)}`);
  crumbs.innerHTML = `› <a href="/patient/${encodeURIComponent(r.patient)}">${esc(r.patient)}</a> › ${esc(r.recording)}`;
  document.title = `sensorkit · ${r.recording}`;
  if (r.no_data) {  // (the record of a session tried that brought no samples: no trace to draw)
    view.innerHTML = `<h1>${esc(r.recording)}</h1>
      <p class="dim">${esc(r.patient)} · ${esc(EXERCISE_WORDS[r.exercise] || r.exercise)} (${r.side}) · started ${esc(when(r.started))}</p>
      <p class="note" id="no-data"><span class="nodata-badge">no data</span> The session ended before any sample came
        (${esc(endedHow(r))}): no reps, no angle trace.</p>`;
    return;
  }
  view.innerHTML = `
    <h1>${esc(r.recording)}</h1>
    <p class="dim">${esc(r.patient)} · ${esc(EXERCISE_WORDS[r.exercise] || r.exercise)} (${r.side}) · started ${esc(when(r.started))} ·
      ${fmt(r.duration_s, 0)} s at ${fmt(r.sample_rate_hz, 0)} Hz · target ≥ ${r.target_rom_deg}° held ≥ ${r.target_hold_s} s</p>
    ${warningsHTML(r.warnings || [])}
    <div class="legend">${Object.entries(KIND_COLOURS).map(([k, c]) => `<span><i style="background:${c}55;border:1px solid ${c}"></i>${KIND_WORDS[k]}</span>`).join("")}
      <span class="hint">drag across the chart to zoom in, double-click to zoom out</span></div>
    <div class="chart" id="trace"></div>
    <h2>Movements (${r.reps.length})</h2>${kneeOutNote(r.reps)}${wrap(repTable(r.reps))}`;
  keepTableRoles(view);
  const el = document.getElementById("trace");
  // Reps shaded by kind, clipped to the plot area (a zoomed-in rep's shade stops at the axes), each
  // counted rep labelled with its ROM: in the first of two rows where it clears the label before it,
  // else left out (the table below lists every rep). skRepLabels: the labels drawn, in CSS px.
  const shade = (u) => {
    const ctx = u.ctx, px = devicePixelRatio, { left, top, width, height } = u.bbox;
    const rowH = 14 * px, gap = 4 * px, rowEnds = [-Infinity, -Infinity], labels = [];
    ctx.save();
    ctx.beginPath(); ctx.rect(left, top, width, height); ctx.clip();
    ctx.font = `${Math.round(11 * px)}px sans-serif`;
    for (const rep of r.reps) {
      const x0 = u.valToPos(rep.start_s, "x", true), x1 = u.valToPos(rep.end_s, "x", true);
      if (x1 < left || x0 > left + width) continue;
      ctx.fillStyle = KIND_COLOURS[rep.kind] + "40";
      ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
      if (rep.kind === "rejected") continue;
      const text = `${fmt(rep.peak_deg ?? rep.rom_deg, 0)}°${rep.tempo === "fast" ? " fast" : ""}`;  // (from rest: the trace's peak)
      const x = Math.max(x0, left) + 2 * px, w = ctx.measureText(text).width;
      const row = rowEnds.findIndex((end) => x >= end + gap);
      if (row < 0 || x + w > left + width) continue;
      rowEnds[row] = x + w;
      ctx.fillStyle = KIND_COLOURS[rep.kind];
      ctx.fillText(text, x, top + (row + 1) * rowH - 3 * px);
      labels.push({ rep: rep.rep, text, x: x / px, y: (top + row * rowH) / px, w: w / px, h: rowH / px });
    }
    ctx.restore();
    window.skRepLabels = labels;
  };
  const target = r.t_s.map(() => r.target_rom_deg);
  const traceWidth = () => Math.min(el.clientWidth - 10 || 1000, 1150);
  window.skChart = new uPlot({
    width: traceWidth(), height: 340,
    series: [{ label: "t (s)" }, { label: "angle °", stroke: "#17324d", width: 1.5 },
             { label: `target ${r.target_rom_deg}°`, stroke: "#2a9d4a", dash: [6, 5], width: 1 }],
    axes: [{ label: "time (s)" }, { label: "angle (°)" }],
    scales: { x: { time: false } }, cursor: { drag: { x: true, y: false } }, legend: { show: false },
    hooks: { drawClear: [shade] },
  }, [r.t_s, r.angle_deg, target], el);
  chartLegend(window.skChart, el, { live: true });
  window.addEventListener("resize", () => window.skChart.setSize({ width: traceWidth(), height: 340 }));
}

// ---- routing ------------------------------------------------------------------------------
(async () => {
  const path = decodeURIComponent(location.pathname);
  try {
    if (path.startsWith("/patient/")) await patientPage(path.slice("/patient/".length));
    else if (path.startsWith("/recording/")) await recordingPage(path.slice("/recording/".length));
    else await listPage();
    document.body.dataset.ready = "1";
  } catch (e) {
    view.innerHTML = `<p>Could not load this page: ${esc(e.message)}</p>`;
    document.body.dataset.ready = "error";
  }
})();
