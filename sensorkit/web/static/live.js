// The live session page: a view of the recording sensorkit is making. It follows the server's
// messages (server-sent events: snapshot, state, rep, done) and draws the latest state once per
// animation frame. Closing or reloading it changes nothing in the recording.
"use strict";

const KIND_WORDS = { full: "full", partial: "partial", knee_out: "knee out", rejected: "not counted" };
// (still: held at a low pose that may be a hold or a new resting pose, not timed; moving: not the
// exercise's turn). The terminal view says the same (sensorkit/live.py's PHASE_WORDS: a test keeps
// the two alike)
const PHASE_WORDS = { rest: "Rest", out: "Moving out", hold: "Hold", return: "Return slowly", still: "Still", moving: "Moving" };
const EXERCISE_WORDS = { hip_external_rotation: "Seated hip external rotation", knee_extension: "Seated knee extension" };

// What tests and the latency benchmark read: drawing latency (ms) per state message and per rep,
// the cues played, the phases drawn.
window.sk = { latency: { angle: [], rep: [] }, cues: [], phases: [], drawn: 0, received: 0, snapshots: 0 };
const MAX_LOG = 20000;
function log(list, value) { if (list.length < MAX_LOG) list.push(value); }

const $ = (id) => document.getElementById(id);
let state = null;          // latest state message
let reps = [];             // every rep of the session so far
let summary = null;
let pending = [];          // arrival times (ms since epoch) of state messages not drawn yet
let pendingReps = [];      // reps not drawn yet
let frameRequested = false;
let holdCuedFor = -1;      // reps_seen value when the hold cue last played (once per rep)
let lastRepsSeen = null;
let ended = false;

// ---- sound (Web Audio) ------------------------------------------------------------------
// The button turns the cues on and off; the choice is kept in localStorage. A browser lets a page
// start sound only after a tap on it: a reloaded page that wants sound but whose AudioContext the
// browser holds suspended says so on the button ("tap to enable sound") instead of staying silent.
const SOUND_KEY = "sensorkit.live.sound";
let audio = null;
let soundWanted = false;
function storedSound() { try { return localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; } }
function storeSound(on) { try { localStorage.setItem(SOUND_KEY, on ? "on" : "off"); } catch (e) { /* private mode */ } }
function drawSound() {
  const button = $("sound");
  const running = !!audio && audio.state === "running";
  const state = !soundWanted ? "off" : !audio ? "unavailable" : running ? "on" : "blocked";
  button.dataset.state = state;
  button.setAttribute("aria-pressed", soundWanted ? "true" : "false");
  button.textContent = { off: "Sound off", on: "Sound on", blocked: "Tap to enable sound", unavailable: "No sound here" }[state];
  button.title = state === "blocked" ? "The browser holds sound back until the page is tapped: tap here to hear the cues"
    : "Sound cues for the hold and each rep: tap to turn them " + (soundWanted ? "off" : "on");
}
function startAudio() {  // (resume() is allowed inside a tap; outside one the context stays suspended)
  try {
    if (!audio) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
      audio.addEventListener("statechange", drawSound);
    }
    const resumed = audio.resume();
    if (resumed && resumed.then) resumed.then(drawSound, drawSound);
  } catch (e) { audio = null; }
  drawSound();
}
$("sound").addEventListener("click", () => {
  if (soundWanted && audio && audio.state !== "running") { startAudio(); return; }  // "tap to enable"
  soundWanted = !soundWanted;
  storeSound(soundWanted);
  if (soundWanted) startAudio();
  else { if (audio) audio.suspend(); drawSound(); }
});
soundWanted = storedSound();
if (soundWanted) startAudio(); else drawSound();
function tone(freqs, durS) {
  if (!soundWanted || !audio || audio.state !== "running") return false;
  const t0 = audio.currentTime;
  freqs.forEach((f, i) => {
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.type = "sine"; osc.frequency.value = f;
    const start = t0 + i * durS;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + durS);
    osc.connect(gain).connect(audio.destination);
    osc.start(start); osc.stop(start + durS + 0.02);
  });
  return true;
}
function cue(kind) {
  // hold reached: one long high tone; rep counted: two rising notes; not counted: one low note
  const played = kind === "hold" ? tone([880], 0.45) : kind === "rep" ? tone([523, 784], 0.16) : tone([220], 0.3);
  log(window.sk.cues, { kind, at_ms: performance.timeOrigin + performance.now(), audible: played });
}

// ---- the gauge ---------------------------------------------------------------------------
const CX = 100, CY = 100, R = 80;
function point(frac) {  // 0 -> left end, 1 -> right end of the half circle
  const a = Math.PI * (1 - Math.min(Math.max(frac, 0), 1));
  return [CX + R * Math.cos(a), CY - R * Math.sin(a)];
}
function arc(f0, f1) {
  if (f1 <= f0) return "";
  const [x0, y0] = point(f0), [x1, y1] = point(f1);
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${R} ${R} 0 0 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}
$("track").setAttribute("d", arc(0, 1));

// The gauge's accessible name says the angle (rounded) and the target; rewritten at most once per
// GAUGE_LABEL_MS, the latest value written when that time is up, so a screen reader is not flooded.
const GAUGE_LABEL_MS = 1500;
let gaugeLabelAt = -Infinity, gaugeLabelTimer = null, gaugeLabelNext = "";
function gaugeText(angle, band, name) {
  if (angle === null) return "Angle: no data yet";
  // (the band is the prescribed target, or without one the patient's usual range: said as shown)
  const what = name === "target" ? "target" : "your usual range";
  const target = band === null || band === undefined ? "" : `, ${what} ${Math.round(band)}° or more` +
    (angle >= band ? ` (in the ${name === "target" ? "target" : "usual"} band)` : "");
  return `Angle ${Math.round(angle)}°${target}`;
}
function setGaugeLabel() {
  gaugeLabelTimer = null;
  if ($("gauge").getAttribute("aria-label") === gaugeLabelNext) return;
  $("gauge").setAttribute("aria-label", gaugeLabelNext);
  gaugeLabelAt = performance.now();
}
function labelGauge(angle, band, name) {
  gaugeLabelNext = gaugeText(angle, band, name);
  if (gaugeLabelTimer !== null || $("gauge").getAttribute("aria-label") === gaugeLabelNext) return;
  const wait = gaugeLabelAt + GAUGE_LABEL_MS - performance.now();
  if (wait <= 0) setGaugeLabel(); else gaugeLabelTimer = setTimeout(setGaugeLabel, wait);
}

// ---- drawing -----------------------------------------------------------------------------
function fmt(x, digits) { return x === null || x === undefined ? "–" : Number(x).toFixed(digits); }

function drawState() {
  const s = state;
  if (!s) return;
  const scale = s.scale_deg || 60;
  const angle = s.angle_deg === null ? 0 : s.angle_deg;
  const frac = angle / scale;
  $("fill").setAttribute("d", arc(0, frac));
  const [nx, ny] = point(frac);  // a marker across the arc at the current angle
  const ux = (nx - CX) / R, uy = (ny - CY) / R;
  $("needle").setAttribute("x1", (CX + ux * (R - 13)).toFixed(2)); $("needle").setAttribute("y1", (CY + uy * (R - 13)).toFixed(2));
  $("needle").setAttribute("x2", (CX + ux * (R + 13)).toFixed(2)); $("needle").setAttribute("y2", (CY + uy * (R + 13)).toFixed(2));
  $("angle").textContent = `${Math.round(angle)}°`;
  $("angle").dataset.value = fmt(angle, 1);
  if (s.band_deg !== null && s.band_deg !== undefined) {
    $("band").setAttribute("d", arc(s.band_deg / scale, 1));
    $("band-label").textContent = `${s.band_name} ${Math.round(s.band_deg)}°+`;
    $("gauge").classList.toggle("in-band", angle >= s.band_deg);
  } else { $("band").setAttribute("d", ""); $("band-label").textContent = ""; }
  labelGauge(s.angle_deg === null ? null : angle, s.band_deg, s.band_name);

  const phase = $("phase");
  if (phase.dataset.phase !== s.phase) {  // (a screen reader hears the phase change, once)
    log(window.sk.phases, s.phase);
    $("sr-status").textContent = PHASE_WORDS[s.phase] || s.phase;
  }
  phase.dataset.phase = s.phase;
  phase.textContent = PHASE_WORDS[s.phase] || s.phase;

  const hold = $("hold");
  hold.hidden = s.phase !== "hold";
  if (s.phase === "hold") {
    const target = s.target_hold_s;
    const frac = target ? Math.min(s.hold_elapsed_s / target, 1) : 0;
    $("hold-fill").style.width = `${(100 * frac).toFixed(1)}%`;
    hold.classList.toggle("reached", !!s.hold_reached);
    // (the time under the phase's word, which says "Hold" already; the terminal: "Hold  1.2 of 2 s")
    $("hold-text").textContent = s.hold_reached ? `Held ${fmt(s.hold_elapsed_s, 1)} s: return slowly`
      : s.below_target ? `${fmt(s.hold_elapsed_s, 1)} s: go a little further (${fmt(s.band_deg, 0)}°)`
      : target ? `${fmt(s.hold_elapsed_s, 1)} of ${target} s` : `${fmt(s.hold_elapsed_s, 1)} s`;
    if (s.hold_reached && holdCuedFor !== s.reps_seen) {
      holdCuedFor = s.reps_seen; cue("hold"); $("sr-status").textContent = "Hold reached: return slowly";
    }
  }

  const p = s.progress;
  const plan = $("plan");
  // (written only when it changes: #plan is a live region, which a screen reader announces on each write)
  const planHtml = !p ? `${s.counted} ${s.counted === 1 ? "rep" : "reps"}`
    : p.done ? `<span>All sets done</span> · <span>${p.total} of ${p.total}</span>` +
        (p.completed > p.total ? ` · <span>${p.completed - p.total} more</span>` : "")
    : `<span>Set ${p.set} of ${p.sets}</span> · <span>${p.rep_in_set} of ${p.reps_per_set}</span>`;
  if (plan.innerHTML !== planHtml) plan.innerHTML = planHtml;
  if (p) plan.dataset.completed = p.completed;
  plan.dataset.counted = s.counted;
  const counts = $("counts");
  counts.replaceChildren(...Object.entries(s.counts).map(([k, n]) => {
    const el = document.createElement("span");
    el.className = `k kind-${k}`; el.id = `count-${k}`; el.dataset.n = n;
    el.innerHTML = `${KIND_WORDS[k] || k} <b>${n}</b>`;
    return el;
  }));
  if (s.fast) {
    const el = document.createElement("span"); el.className = "k"; el.id = "count-fast"; el.dataset.n = s.fast;
    el.innerHTML = `rushed <b>${s.fast}</b>`; counts.append(el);
  }
  drawLink(s.link);
  $("summary").hidden = !summary || $("summary").dataset.dismissed === "1";
}

// Why the sensor's stream ended on its own (no link again, or the sensor refused it: the error's
// line, e.g. a Movesense's 507), else "": the banner keeps saying it once the page is served no more.
function stoppedWords(link) {
  if (!link) return "";
  if (link.state === "gave_up") return "The sensor could not be reached again: the session has stopped.";
  if (link.state === "refused") {
    return `The sensor refused to stream${link.error ? `: ${link.error}` : ""}. The session has stopped.`;
  }
  return "";
}

const RECONNECTED_SHOWN_S = 6;  // how long "Reconnected: ... lost" stays up (s of session time)
function drawLink(link) {
  const el = $("link");
  el.dataset.state = link.state;
  document.body.dataset.link = link.state;  // the angle and phase are dimmed while no data comes
  let text = { connecting: "connecting…", streaming: "streaming", reconnecting: "reconnecting…",
               closed: "sensor closed", gave_up: "sensor lost", refused: "sensor refused" }[link.state] || link.state;
  const gap = link.last_gap;
  const banner = $("banner");
  if (link.state === "reconnecting" && gap) {
    banner.hidden = false;
    banner.textContent = `Sensor link lost at ${fmt(gap.dropped_at_t_s, 1)} s: reconnecting… keep going, reps resume when it is back.`;
  } else if (gap && gap.resumed && link.state === "streaming"
             && state.t_s - (gap.dropped_at_t_s + gap.lost_s) < RECONNECTED_SHOWN_S) {  // (then it goes)
    banner.hidden = false;
    banner.textContent = `Reconnected: ${fmt(gap.lost_s, 1)} s lost (${gap.lost_samples} samples) at ${fmt(gap.dropped_at_t_s, 1)} s.`;
  } else if (stoppedWords(link)) {
    banner.hidden = false; banner.textContent = stoppedWords(link);
  } else if (!ended) { banner.hidden = true; }
  $("link-text").textContent = text;
  if (link.battery_percent !== null && link.battery_percent !== undefined) {
    $("battery").hidden = false; $("battery").textContent = `battery ${link.battery_percent}%`;
    $("battery").dataset.percent = link.battery_percent;
  }
  $("link-details").textContent = `${link.sensor || ""} · t ${fmt(state.t_s, 1)} s · ${link.samples_saved} samples saved · ` +
    `loss ${fmt(link.loss_pct, 1)}% · reconnects ${link.reconnects}`;
}

function drawRep(r) {
  // (a shake's further movements, after its one note: only a dim mark in the history)
  if (!(r.fidget && !r.note)) drawLast(r);
  const li = document.createElement("li");
  li.dataset.kind = r.kind; li.dataset.rom = fmt(r.rom_deg, 1); li.dataset.hold = fmt(r.hold_s, 1);
  li.dataset.tempo = r.tempo || ""; li.dataset.index = r.index;
  if (r.fidget) li.dataset.fidget = "1";
  li.textContent = r.counted ? `${r.rep}: ${r.rom_text_whole}° ${r.hold_text} s` : r.fidget ? "·" : "✕";
  li.title = r.note || (r.fidget ? "a small quick movement" : KIND_WORDS[r.kind]);
  $("rep-list").append(li);
}

function drawLast(r) {
  $("last").hidden = false;
  const kind = $("last-kind");
  kind.textContent = KIND_WORDS[r.kind] || r.kind; kind.className = `kind-${r.kind}`; kind.dataset.kind = r.kind;
  $("last-label").textContent = r.counted ? `Rep ${r.rep}:` : "Last movement:";
  $("last-rom").textContent = r.counted ? `${r.rom_text}°` : "";
  $("last-rom").dataset.value = fmt(r.rom_deg, 1);
  $("last-hold").textContent = r.counted ? `held ${r.hold_text} s` : "";
  $("last-hold").dataset.value = fmt(r.hold_s, 1);
  $("last-note").textContent = r.note || "";
  $("last").dataset.tempo = r.tempo;
}

function drawSummary() {
  const s = summary;
  const counts = Object.entries(s.counts).filter(([k]) => k !== "rejected").map(([k, n]) => `${KIND_WORDS[k] || k} ${n}`).join(", ");
  const rejected = s.counts.rejected || 0;
  const plan = !s.prescribed ? "" : s.completed > s.prescribed
    ? `<p><b>All ${s.prescribed}</b> prescribed reps completed, and ${s.completed - s.prescribed} more.</p>`
    : `<p><b>${s.completed} of ${s.prescribed}</b> prescribed reps completed.</p>`;
  $("summary-body").innerHTML = `${plan}<p><b id="summary-counted">${s.counted}</b> reps (${counts}${s.fast ? `; ${s.fast} rushed` : ""})${rejected ? `; ${rejected} ${rejected === 1 ? "movement" : "movements"} not counted` : ""}.</p>` +
    `<p>Mean range ${fmt(s.rom_mean_deg, 1)}° (best ${fmt(s.rom_max_deg, 1)}°), mean hold ${fmt(s.hold_mean_s, 1)} s.</p>` +
    `<p class="dim">${fmt(s.duration_s, 0)} s · ${s.samples_saved} samples saved · loss ${fmt(s.loss_pct, 1)}% · reconnects ${s.reconnects}</p>`;
}

function frame() {
  frameRequested = false;
  for (const r of pendingReps) drawRep(r);
  drawState();
  const now = performance.timeOrigin + performance.now();
  for (const a of pending) if (a !== null) log(window.sk.latency.angle, now - a);
  for (const r of pendingReps) if (r.arrival_ms !== null) log(window.sk.latency.rep, now - r.arrival_ms);
  if (pending.length) window.sk.drawn += 1;
  pending = []; pendingReps = [];
}
function requestDraw() { if (!frameRequested) { frameRequested = true; requestAnimationFrame(frame); } }

// ---- messages ----------------------------------------------------------------------------
function onSnapshot(m) {
  window.sk.snapshots += 1;
  window.sk.repsAtSnapshot = m.reps.length;  // reps before this page joined: drawn, never cued
  const sess = m.session;
  $("exercise").textContent = EXERCISE_WORDS[sess.exercise] || sess.exercise || "Exercise";
  $("patient").textContent = sess.patient ? `· ${sess.patient}` : "";
  document.title = `sensorkit live · ${sess.patient || ""}`;
  reps = m.reps; $("rep-list").replaceChildren(); pendingReps = [];
  for (const r of reps.slice(0, -1)) drawRep(r);
  if (reps.length) pendingReps.push(reps[reps.length - 1]);
  pendingReps.forEach((r) => { r.arrival_ms = null; });  // drawn late on purpose: not a latency
  state = Object.keys(m.state).length ? m.state : null;
  lastRepsSeen = state ? state.reps_seen : 0;
  holdCuedFor = state && state.hold_reached ? state.reps_seen : -1;  // no replayed cue on reload
  if (m.summary) { summary = m.summary; ended = true; drawSummary(); }
  if (state) pending.push(null);
  requestDraw();
}
function onState(s, arrivalMs) {
  state = s; pending.push(arrivalMs); requestDraw();
}
function onMessage(ev) {
  const m = JSON.parse(ev.data);
  window.sk.received += 1;
  if (m.type === "snapshot") return onSnapshot(m);
  if (m.type === "state") return onState(m, m.arrival_ms);
  if (m.type === "rep") {
    reps.push(m.rep); pendingReps.push(m.rep);
    // (the success chime and flash only for a rep that counts toward the set, when there is a plan)
    const good = m.rep.counted && m.rep.meets_plan !== false;
    // (no failure tone for a rep the link cut, a fidget or a shake: no_failure_tone in live_hub.py)
    if (!m.rep.no_failure_tone) cue(good ? "rep" : "not_counted");
    if (good) { $("plan").classList.remove("flash"); void $("plan").offsetWidth; $("plan").classList.add("flash"); }
    return onState(m.state, null);
  }
  if (m.type === "done") {
    summary = m.summary; ended = true; drawSummary();
    return onState(m.state, null);
  }
}

$("summary-close").addEventListener("click", () => { $("summary").dataset.dismissed = "1"; $("summary").hidden = true; });

function connect() {
  const source = new EventSource("events");
  source.onmessage = onMessage;
  source.onopen = () => { if (!ended) $("banner").hidden = true; };
  source.onerror = () => {
    if (ended) {  // (why the sensor stopped, when it did, stays said)
      source.close(); $("banner").hidden = false;
      $("banner").textContent = stoppedWords(state && state.link) || "Session over: sensorkit has stopped serving this page.";
      return;
    }
    $("banner").hidden = false; $("banner").textContent = "Page lost contact with sensorkit: trying again…";
  };
}
connect();
