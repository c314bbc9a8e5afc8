"""The clinician dashboard in a real browser (Debian's chromium through Playwright): its figures
are the report's (``sensorkit report`` on the same folders, made by the ``clinic`` fixture)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from sensorkit.report import load_prescriptions  # noqa: E402
from sensorkit.web.dashboard_app import dashboard_app  # noqa: E402
from sensorkit.web.dashboard_data import DashboardData  # noqa: E402
from sensorkit.web.serve import ServerThread  # noqa: E402


def rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def dashboard(clinic, browser_type_launch_args):
    last_day = max(r["date"] for r in rows(clinic["report"]))
    from datetime import date
    data = DashboardData(load_prescriptions(clinic["rx"]), [clinic["data"]], as_of=date.fromisoformat(last_day))
    with ServerThread(dashboard_app(data)) as server:
        yield server.url


def test_patient_list_figures_are_the_summarys(clinic, dashboard, page):
    page.goto(dashboard)
    page.wait_for_selector("body[data-ready='1']")
    summary = {r["patient"]: r for r in rows(clinic["summary"]) if r["period"] == "1"}
    for patient, row in summary.items():
        cells = page.locator(f"tr[data-patient='{patient}'] td[data-col='days_with_data']")
        assert cells.get_attribute("data-value") == row["days_with_data"]
    assert page.locator("#problems tr").count() == 3  # one broken, two skipped, with their reasons
    assert "not a number" in page.inner_text("#problems")
    assert "clinic_b/p101_broken.csv" in page.inner_text("#problems")  # (below the folder given: whose it is)


def test_patient_page_calendar_and_sessions_are_the_reports_days(clinic, dashboard, page):
    page.goto(dashboard)
    page.wait_for_selector("body[data-ready='1']")
    page.click("tr[data-patient='p101'] a")
    page.wait_for_url("**/patient/p101")
    page.wait_for_selector("body[data-ready='1']")
    daily = [r for r in rows(clinic["report"]) if r["patient"] == "p101"]
    for r in daily:
        cell = page.locator(f".day[data-date='{r['date']}']")
        assert cell.get_attribute("data-completed") == r["reps_completed"], r["date"]
        assert cell.get_attribute("data-prescribed") == r["reps_prescribed"], r["date"]
        assert cell.get_attribute("data-adherence") == r["adherence_pct"], r["date"]
        assert cell.get_attribute("data-has-data") == r["has_data"], r["date"]
    # the report's day, reps still to do: in progress, its reps so far (the report's adherence so far), not
    # coloured as a missed day
    (going,) = [r for r in daily if r["day_in_progress"] == "true"]
    assert int(going["reps_completed"]) < int(going["reps_prescribed"])
    assert float(going["adherence_pct"]) == round(100 * int(going["reps_completed"]) / int(going["reps_prescribed"]), 1)
    cell = page.locator(f".day[data-date='{going['date']}']")
    assert "inprogress" in cell.get_attribute("class").split() and "low" not in cell.get_attribute("class").split()
    assert f"{going['reps_completed']}/{going['reps_prescribed']}" in cell.inner_text() and "0%" not in cell.inner_text()
    assert page.locator("#calendar-legend [data-key='inprogress']").count() == 1
    sessions = page.locator("#sessions tbody tr[data-recording]")
    per_day: dict[str, int] = {}
    for i in range(sessions.count()):
        row = sessions.nth(i)
        per_day[row.get_attribute("data-date")] = per_day.get(row.get_attribute("data-date"), 0) + int(row.get_attribute("data-counted"))
    assert per_day == {r["date"]: int(r["reps_total"]) for r in daily if r["has_data"] == "true"}
    assert page.locator("#rom-chart canvas").count() == 1


def test_recording_page_draws_the_trace_with_its_reps(clinic, dashboard, page):
    page.goto(dashboard + "patient/p202")
    page.wait_for_selector("body[data-ready='1']")
    first = page.locator("#sessions tbody tr[data-recording]").first
    counted = int(first.get_attribute("data-counted"))
    first.locator("a", has_text="trace").click()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#trace canvas").count() == 1
    kinds = page.locator("table.reps tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert sum(k != "rejected" for k in kinds) == counted
    # drag across the chart zooms in: the x scale narrows
    box = page.locator("#trace .u-over").bounding_box()
    before = page.evaluate("[skChart.scales.x.min, skChart.scales.x.max]")
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    after = page.evaluate("[skChart.scales.x.min, skChart.scales.x.max]")
    assert after[1] - after[0] < 0.5 * (before[1] - before[0])


def test_the_download_is_the_report(clinic, dashboard, page):
    page.goto(dashboard)
    page.wait_for_selector("body[data-ready='1']")
    with page.expect_download() as download:
        page.click("#dl-report")
    assert Path(download.value.path()).read_bytes() == clinic["report"].read_bytes()


# ---- on a phone, and what the calendar means ------------------------------------------------------
FITS = "[document.documentElement.scrollWidth, window.innerWidth]"


def ready(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")


@pytest.mark.parametrize("width", [360, 390, 414])
def test_every_page_fits_a_phone_without_scrolling_sideways(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        ready(page, dashboard)
        assert page.evaluate(FITS)[0] <= width, "patient list"
        ready(page, dashboard + "patient/p101")
        assert page.evaluate(FITS)[0] <= width, "patient page"
        toggles = page.locator("#sessions .reps-toggle")
        for i in range(toggles.count()):  # every session's reps open: wide tables scroll in their own box
            toggles.nth(i).click()
        assert page.locator("table.reps:visible").count() == toggles.count()
        assert page.evaluate(FITS)[0] <= width, "patient page, reps open"
        page.locator("#sessions a", has_text="trace").first.click()
        page.wait_for_selector("body[data-ready='1'] #trace canvas")
        assert page.evaluate(FITS)[0] <= width, "recording page"
        assert page.locator("#trace canvas").bounding_box()["width"] <= width
    finally:
        page.close()


#: the ROM chart's x labels as drawn: [left, right] in canvas pixels (uPlot draws them centred on their split)
DATE_LABELS = """() => {
  const u = window.skRomChart, axis = u.axes[0];
  u.ctx.font = axis.font[0];
  return axis._splits.map((v, i) => [u.valToPos(v, 'x', true), axis._values[i]])
    .filter(([x, text]) => text && x >= u.bbox.left - 1 && x <= u.bbox.left + u.bbox.width + 1)
    .map(([x, text]) => { const w = u.ctx.measureText(text).width; return [x - w / 2, x + w / 2, text]; });
}"""


@pytest.mark.parametrize("width", [360, 390, 1280])
def test_the_rom_charts_date_labels_never_overlap(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        ready(page, dashboard + "patient/p202")
        labels = page.evaluate(DATE_LABELS)
        assert len(labels) >= 2
        for (_, right, a), (left, _, b) in zip(labels, labels[1:]):
            assert right + 4 <= left, f"{a} and {b} overlap at {width} px: {labels}"
        page.set_viewport_size({"width": 360 if width > 400 else 1280, "height": 800})  # (drawn again on resize)
        page.wait_for_timeout(100)
        labels = page.evaluate(DATE_LABELS)
        assert all(r + 4 <= l for (_, r, _), (l, _, _) in zip(labels, labels[1:])), labels
    finally:
        page.close()


def test_opening_a_sessions_reps_leaves_the_sessions_columns_alone(dashboard, page):
    ready(page, dashboard + "patient/p101")
    widths = "[...document.querySelectorAll('#sessions > thead th')].map(th => Math.round(th.getBoundingClientRect().width))"
    before = page.evaluate(widths)
    page.locator("#sessions .reps-toggle").first.click()
    opened = page.locator("#sessions tr.reps-row:visible table.reps")
    assert opened.count() == 1 and opened.locator("tbody tr").count() >= 5
    assert page.get_attribute("#sessions .reps-toggle >> nth=0", "aria-expanded") == "true"
    assert page.evaluate(widths) == before
    page.locator("#sessions .reps-toggle").first.click()
    assert page.locator("#sessions tr.reps-row:visible").count() == 0


#: JavaScript: a CSS colour's numbers, WCAG's relative luminance, the nearest opaque background's colour
CONTRAST_HELPERS = """
  const rgba = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) { const c = rgba(getComputedStyle(el).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
    return [255, 255, 255];
  };
"""

#: each calendar day's text against the background it is drawn on (the nearest opaque one), WCAG's ratio
CONTRASTS = """() => {""" + CONTRAST_HELPERS + """  return [...document.querySelectorAll('#calendar .day')].map((day) => {
    const a = lum(rgba(getComputedStyle(day).color)), b = lum(background(day));
    return [day.dataset.date, day.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
}"""


@pytest.mark.parametrize("patient", ["p101", "p202"])
def test_the_calendar_has_a_legend_for_what_it_shows_and_readable_days(dashboard, page, patient):
    ready(page, dashboard + f"patient/{patient}")
    legend = page.locator("#calendar-legend")
    assert legend.is_visible()
    keys = set(legend.locator("[data-key]").evaluate_all("els => els.map(e => e.dataset.key)"))
    shown = set(page.locator("#calendar .day").evaluate_all(
        "days => days.flatMap(d => [...d.classList].filter(c => c !== 'day'))"))
    assert shown <= keys, f"in the calendar but not in its legend: {shown - keys}"
    text = legend.inner_text()
    for words in ("done", "partly", "missed", "not scheduled"):
        assert words in text
    if "lost" in shown:
        assert "data lost" in text
    assert page.locator("#calendar .day.today[aria-current='date']").count() == 1 and "today" in text
    contrasts = page.evaluate(CONTRASTS)
    low = [(d, cls, round(c, 2)) for d, cls, c in contrasts if c < 4.5]
    assert not low, f"day text under 4.5:1: {low}"
    if patient == "p202":
        assert any("off" in cls for _, cls, _ in contrasts)  # (its unscheduled days are among them)


# ---- the recording page's chart and notes ---------------------------------------------------------
def open_recording(page, base, patient, recording):
    ready(page, base + f"patient/{patient}")
    page.locator(f"#sessions tr[data-recording='{recording}'] a", has_text="trace").click()
    page.wait_for_selector("body[data-ready='1'] #trace canvas")
    page.wait_for_timeout(100)


#: pixels of the chart's canvas left of the plot area (the y axis) in colour: a rep's shade (the axis is grey)
SHADE_LEFT_OF_PLOT = """() => {
  const u = window.skChart, { left, top, height } = u.bbox;
  const px = u.ctx.getImageData(0, top, Math.floor(left) - 1, height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 40) n++;
  return n;
}"""


def test_a_zoomed_in_reps_shade_stays_inside_the_plot(dashboard, page):
    open_recording(page, dashboard, "p101", "p101_1029")
    reps = page.evaluate("fetch(location.pathname.replace('/recording/', '/api/recording/')).then(r => r.json())")["reps"]
    rep = max((r for r in reps if r["kind"] != "rejected"), key=lambda r: r["end_s"] - r["start_s"])
    middle = (rep["start_s"] + rep["end_s"]) / 2  # the plot begins inside this rep
    page.evaluate(f"skChart.setScale('x', {{ min: {middle}, max: {middle + 12} }})")
    page.wait_for_timeout(100)
    assert page.evaluate(SHADE_LEFT_OF_PLOT) == 0
    labels = page.evaluate("window.skRepLabels")
    assert labels, "no rep label drawn"
    box = page.evaluate("(() => { const b = skChart.bbox, p = devicePixelRatio; return [b.left / p, (b.left + b.width) / p]; })()")
    assert all(box[0] <= lab["x"] and lab["x"] + lab["w"] <= box[1] for lab in labels)


def intersect(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


@pytest.mark.parametrize("width", [390, 1280])
def test_quick_reps_labels_never_print_over_each_other(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        open_recording(page, dashboard, "p202", "p202_1030")  # five knee-out reps about 1.5 s apart
        labels = page.evaluate("window.skRepLabels")
        counted = page.locator("table.reps tbody tr:not([data-kind='rejected'])").count()
        assert counted >= 4 and len(labels) >= counted - 1, labels  # (staggered, hardly any left out)
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert not intersect(a, b), (a, b)
    finally:
        page.close()


@pytest.fixture(scope="module")
def low_target_dashboard(clinic, tmp_path_factory):
    """p101 prescribed a 10-degree ROM held 2.5 s: some of its knee-out reps reach both."""
    from datetime import date

    from prescriptions import exercise, rx_toml

    rx = tmp_path_factory.mktemp("rx_low")
    (rx / "p101.toml").write_text(rx_toml("p101", "America/New_York", "2026-10-26", "2026-11-03",
                                          exercise("hip_external_rotation", 10.0, 2.5, 5, sides=("left",))))
    data = DashboardData(load_prescriptions(rx), [clinic["data"]], as_of=date(2026, 11, 2))
    with ServerThread(dashboard_app(data)) as server:
        yield server.url


def test_a_knee_out_rep_reaching_the_targets_says_it_does_not_complete_the_prescription(low_target_dashboard, page):
    open_recording(page, low_target_dashboard, "p101", "p101_1028pm")  # a set of knee-out reps
    reps = page.evaluate("fetch(location.pathname.replace('/recording/', '/api/recording/')).then(r => r.json())")["reps"]
    reached = [r for r in reps if r["kind"] == "knee_out" and r["rom_deg"] >= 10.0 and r["hold_s"] >= 2.5]
    assert reached, "no knee-out rep of this recording reaches the low target: the test shows nothing"
    assert not any(r["meets_target"] for r in reps)  # (the report's rule: completes())
    note = page.locator("#knee-out-note")
    assert note.is_visible() and "never completes the prescription" in note.inner_text()
    rows = page.locator("table.reps tbody tr")
    noted = [i for i in range(rows.count()) if rows.nth(i).locator("[data-note='knee_out']").count()]
    assert noted == [i for i, r in enumerate(reps) if r in reached]
    assert "never complete" in rows.nth(noted[0]).inner_text()


# ---- the tables on a phone: each row a card, key columns first, nothing scrolled or hidden --------
#: per table, its key columns: on a phone, the first line of each row, under their heads
KEY_COLUMNS = {
    "#patients": ["patient", "adherence_7d_pct", "adherence_30d_pct", "last_session"],
    "#sessions": ["started", "completed", "kinds", "rom_full_mean_deg"],
    "table.reps": ["rep", "kind", "rom", "hold"],
    "#periods": ["period", "dates", "adherence", "change"],
}

#: every table's layout, as drawn: per table its box and scroll width, per head and body row its
#: cells' boxes (CSS px), whether a word had to be broken to fit (a cell measured again with words
#: unbroken: it overflows), each cell's label (its ::before) and text
TABLES = """() => [...document.querySelectorAll('table')].filter((t) => t.offsetParent).map((table) => {
  const wrap = table.closest('.table-wrap');
  const cells = (tr) => [...tr.children].map((c) => {
    const r = c.getBoundingClientRect(), before = getComputedStyle(c, '::before').content;
    const saved = c.style.overflowWrap; c.style.overflowWrap = 'normal';
    const broken = c.scrollWidth > c.clientWidth + 1; c.style.overflowWrap = saved;
    return { col: c.dataset.col || '', opt: c.classList.contains('opt'), x: r.left, right: r.right, top: r.top,
             w: r.width, h: r.height, broken, label: before === 'none' ? '' : before.replace(/^"|"$/g, ''),
             text: c.innerText.trim() };
  });
  const rows = [...table.querySelectorAll(':scope > tbody > tr')].filter((tr) => !tr.hidden && !tr.classList.contains('reps-row'));
  return { id: table.id || table.className, scroll: wrap ? [wrap.scrollWidth, wrap.clientWidth] : [0, 0],
           display: getComputedStyle(rows[0] || table).display, role: table.getAttribute('role'),
           heads: cells(table.querySelector(':scope > thead > tr') || document.createElement('tr')), rows: rows.map(cells) };
})"""


def one_line(cells) -> bool:
    """Side by side on one line (their tops within a few px: aligned on their text's baseline)."""
    return not cells or max(c["top"] for c in cells) - min(c["top"] for c in cells) < 8


def phone_pages(page, base):
    """The list, p101's page with every session's reps open, and one recording: each page's tables."""
    ready(page, base)
    yield "patient list"
    ready(page, base + "patient/p101")
    toggles = page.locator("#sessions .reps-toggle")
    for i in range(toggles.count()):
        toggles.nth(i).click()
    yield "patient page, reps open"
    page.locator("#sessions a", has_text="trace").first.click()
    page.wait_for_selector("body[data-ready='1'] #trace canvas")
    yield "recording page"


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_each_tables_row_is_a_card_with_its_key_columns_first_and_nothing_left_out(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    seen = set()
    try:
        for where in phone_pages(page, dashboard):
            assert page.evaluate(FITS)[0] <= width, where
            for table in page.evaluate(TABLES):
                name = f"{where}, {table['id']}"
                seen.add(table["id"].split()[0])
                assert table["scroll"][0] <= table["scroll"][1], f"{name} scrolls sideways in its box: {table['scroll']}"
                assert table["role"] == "table", name  # (still a table to a screen reader, rows drawn as flex boxes)
                keys = next((cols for sel, cols in KEY_COLUMNS.items() if sel.lstrip("#") == table["id"] or
                             (sel.startswith("table.") and sel[6:] in table["id"].split())), [])
                heads = {h["col"]: h for h in table["heads"]}
                for col in keys:  # the key columns' heads: visible, on one line, no word broken
                    assert heads[col]["w"] > 10 and heads[col]["right"] <= width, (name, col, heads[col])
                    assert not heads[col]["broken"], f"{name}: head {heads[col]['text']!r} breaks a word"
                assert one_line([heads[c] for c in keys]), (name, [heads[c] for c in keys])
                for row in table["rows"]:
                    by_col = {c["col"]: c for c in row}
                    first = [by_col[c] for c in keys]
                    assert one_line(first), (name, [(c["col"], c["x"], c["top"], c["w"], c["text"]) for c in first])  # one line, under the heads
                    for key, head in zip(first, (heads[c] for c in keys)):
                        assert abs(key["x"] - head["x"]) < 1 and abs(key["w"] - head["w"]) < 1, (name, key, head)
                    for cell in row:  # every cell shown, inside the screen, its words whole (a file path may break)
                        assert cell["w"] > 0 and cell["h"] > 0, f"{name}: {cell['col']} hidden"
                        assert cell["right"] <= width, f"{name}: {cell['col']} cut off at the right: {cell}"
                        if not cell["opt"]:
                            assert not cell["broken"], f"{name}: {cell['text']!r} breaks a word"
                    for cell in (c for c in row if c["opt"] and first):  # the others after the key columns, labelled
                        assert cell["top"] > max(c["top"] for c in first), (name, cell)
                    if keys:  # (what a head said, a label says)
                        labelled = {c["col"]: c["label"] for c in row if c["opt"] and c["label"]}
                        assert set(labelled) >= {c for c in ("side", "counted", "days_with_data", "tempo") if c in by_col}, (name, labelled)
        assert {"patients", "problems", "periods", "sessions", "reps"} <= seen
        # turned sideways (844 px): the tables are tables again, every column under its head
        page.set_viewport_size({"width": 844, "height": 390})
        for table in page.evaluate(TABLES):
            assert table["display"] == "table-row", table["id"]
            assert all(h["w"] > 10 for h in table["heads"]), table["id"]
    finally:
        page.close()


#: every kind badge ("knee out 6") and rushed note ("3 rushed") shown: its text, the lines its text
#: takes, and whether its box is inside its table cell
BADGES = """() => [...document.querySelectorAll('td .kind, td .fast')].filter((el) => el.offsetParent).map((el) => {
  const text = document.createRange();
  text.selectNodeContents(el);
  const box = el.getBoundingClientRect(), cell = el.closest('td').getBoundingClientRect();
  return { text: el.textContent, lines: new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size,
           inside: box.left >= cell.left - 0.5 && box.right <= cell.right + 0.5 };
})"""


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_each_kind_badge_and_rushed_note_is_one_line_inside_its_cell(dashboard, browser, width):
    # (at 360 px "knee out 6" wrapped inside its box: "knee" over "out 6")
    page = browser.new_page(viewport={"width": width, "height": 844})
    try:
        for where in phone_pages(page, dashboard):
            badges = page.evaluate(BADGES)
            if where == "patient page, reps open":
                assert any(b["text"].startswith("knee out ") for b in badges), badges  # (the case that wrapped)
            for badge in badges:
                assert badge["lines"] == 1 and badge["inside"], (where, width, badge)
        # a count of two digits fits too
        ready(page, dashboard + "patient/p101")
        page.evaluate("document.querySelectorAll('#sessions .kind, #sessions .fast').forEach((el) =>"
                      " { el.textContent = el.textContent.replace(/\\d+/, '12'); })")
        badges = page.evaluate(BADGES)
        assert any(b["text"] == "knee out 12" for b in badges), badges
        for badge in badges:
            assert badge["lines"] == 1 and badge["inside"], (width, badge)
    finally:
        page.close()


def test_a_phone_card_says_what_the_wide_tables_columns_say(dashboard, browser):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        ready(page, dashboard + "patient/p202")
        session = page.evaluate("fetch('/api/patient/p202').then(r => r.json())")["sessions"][0]
        row = page.locator(f"#sessions tr[data-recording='{session['recording']}']")
        text = row.inner_text()
        for shown in ("hip external rotation", session["side"], str(session["counted"]), "trace"):
            assert shown in text, (shown, text)
        row.locator(".reps-toggle").click()
        rep = session["reps"][0]
        first = page.locator(f"#reps-{session['id']} table.reps tbody tr").first
        assert first.locator("[data-col='tempo']").is_visible() and rep["tempo"] in first.inner_text()
        assert f"{rep['start_s']:.1f}–{rep['end_s']:.1f}" in first.inner_text()
    finally:
        page.close()


#: on the patient page: the height of the sessions table's one-line "Started" head and of the mean
#: ROM's head (CSS px), and per session the boxes (top, bottom) of its reps button and trace link
SESSION_CARDS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; };
  const head = (col) => document.querySelector(`#sessions > thead th[data-col=${col}]`).getBoundingClientRect().height;
  return { line: head('started'), rom: head('rom_full_mean_deg'),
           sessions: [...document.querySelectorAll('#sessions > tbody > tr:not(.reps-row)')].map((tr) => ({
             reps: box(tr.querySelector('.reps-toggle')), trace: box(tr.querySelector('[data-col=trace] a')) })) };
}"""


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_a_sessions_trace_link_sits_beside_its_reps_button_and_the_rom_head_takes_two_lines(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 844})
    try:
        ready(page, dashboard + "patient/p101")
        drawn = page.evaluate(SESSION_CARDS)
        # (it took four lines in a 4 rem column: "Mean ROM of full reps °"; now "Full-rep ROM °")
        assert drawn["rom"] <= 2 * drawn["line"] + 1, drawn
        assert "Mean ROM of full reps" in page.locator("#sessions > thead th[data-col=rom_full_mean_deg]").text_content()
        assert drawn["sessions"]
        for session in drawn["sessions"]:
            (reps_top, reps_bottom), (trace_top, trace_bottom) = session["reps"], session["trace"]
            # on the button's line (at 390 px it wrapped alone onto the next line, below the button)
            assert reps_top <= trace_top and trace_bottom <= reps_bottom, session
    finally:
        page.close()


#: the text of every table cell, header and legend, against the background it is drawn on (the nearest
#: opaque one), WCAG's ratio; a cell's label (its ::before) too
TEXT_CONTRASTS = """(selector) => {""" + CONTRAST_HELPERS + """  const ratio = (fg, bg) => { const a = lum(fg), b = lum(bg); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own) out.push([el.textContent.trim().slice(0, 30), ratio(rgba(getComputedStyle(el).color), background(el))]);
    const before = getComputedStyle(el, '::before');
    if (el.dataset.label && before.content !== 'none') out.push([el.dataset.label, ratio(rgba(before.color), background(el))]);
  }
  return out;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_table_and_legend_text_is_readable(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        for where in phone_pages(page, dashboard):
            contrasts = page.evaluate(TEXT_CONTRASTS, "table *, .chart-legend *")
            assert len(contrasts) > 20, where
            low = [(text, round(c, 2)) for text, c in contrasts if c < 4.5]
            assert not low, f"{where}: text under 4.5:1 at {width} px: {low}"
    finally:
        page.close()


# ---- the charts' legends: each series as drawn ----------------------------------------------------
#: per series of a chart (window[name]) after x: its colour, dash, whether it shows points, its label
#: and whether it is shown; the legend button's drawing of it (line colour, dash, circle) and text
SERIES_AND_LEGEND = """(name) => {
  const u = window[name], el = u.root.parentElement;
  const val = (v, i) => (typeof v === 'function' ? v(u, i) : v);
  return u.series.slice(1).map((s, k) => {
    const i = k + 1, button = el.querySelector(`.chart-legend button[data-series="${i}"]`);
    const line = button && button.querySelector('svg line'), circle = button && button.querySelector('svg circle');
    return { series: { stroke: val(s.stroke, i), dashed: !!(s.dash && s.dash.length), points: val(s.points.show, i) === true,
                       label: s.label, show: s.show },
             legend: button && { stroke: line.getAttribute('stroke'), dashed: line.hasAttribute('stroke-dasharray'),
                                 circle: circle && circle.getAttribute('stroke'), text: button.innerText.trim(),
                                 pressed: button.getAttribute('aria-pressed') } };
  });
}"""


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


#: a legend marker (an svg) drawn on a white canvas as the page draws it: its darkest pixel's [r, g, b]
MARKER_DARKEST = """async (svg) => {
  const image = new Image(), box = svg.getBoundingClientRect();
  image.src = 'data:image/svg+xml,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(box.width); canvas.height = Math.ceil(box.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height); ctx.drawImage(image, 0, 0);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let best = [255, 255, 255];
  for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < best[0] + best[1] + best[2]) best = [px[i], px[i + 1], px[i + 2]];
  return best;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_rom_charts_legend_draws_each_series_in_its_colour_and_dash(dashboard, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 800}, device_scale_factor=1)
    try:
        ready(page, dashboard + "patient/p101")
        assert page.locator("#rom-chart .u-legend").count() == 0  # (uPlot's, with its empty squares)
        entries = page.evaluate(SERIES_AND_LEGEND, "skRomChart")
        assert len(entries) == 2  # p101: one exercise and side, its ROM and its target
        for entry in entries:
            series, legend = entry["series"], entry["legend"]
            assert legend is not None, series
            assert legend["stroke"] == series["stroke"] and legend["dashed"] == series["dashed"], entry
            assert (legend["circle"] == series["stroke"]) if series["points"] else legend["circle"] is None, entry
            assert legend["text"] == series["label"], entry
        assert [e["series"]["dashed"] for e in entries] == [False, True]  # (the target is the dashed one)
        # as drawn: the marker's darkest pixel is the series' colour (anti-aliased at most)
        markers = page.locator("#rom-chart-legend svg.marker")
        for i, entry in enumerate(entries):
            darkest = markers.nth(i).evaluate(MARKER_DARKEST)
            assert max(abs(a - b) for a, b in zip(darkest, rgb(entry["series"]["stroke"]))) < 70, (darkest, entry)
        # a legend entry hides and shows its series, saying so
        page.locator("#rom-chart-legend button").first.click()
        hidden = page.evaluate(SERIES_AND_LEGEND, "skRomChart")[0]
        assert hidden["series"]["show"] is False and hidden["legend"]["pressed"] == "false"
        page.locator("#rom-chart-legend button").first.click()
        assert page.evaluate(SERIES_AND_LEGEND, "skRomChart")[0]["series"]["show"] is True
    finally:
        page.close()


def test_the_traces_legend_draws_its_series_and_reads_the_values_under_the_cursor(dashboard, page):
    open_recording(page, dashboard, "p202", "p202_1030")
    assert page.locator("#trace .u-legend").count() == 0
    entries = page.evaluate(SERIES_AND_LEGEND, "skChart")
    assert [(e["legend"]["stroke"], e["legend"]["dashed"]) for e in entries] == \
        [(e["series"]["stroke"], e["series"]["dashed"]) for e in entries] and entries[1]["series"]["dashed"]
    box = page.locator("#trace .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] / 2)
    idx, t, angle = page.evaluate("[skChart.cursor.idx, skChart.data[0][skChart.cursor.idx], skChart.data[1][skChart.cursor.idx]]")
    assert idx is not None
    values = page.locator("#trace-legend .value").all_inner_texts()
    assert values[:2] == [f"{t:.2f}", f"{angle:.1f}"]
