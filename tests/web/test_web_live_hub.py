"""The live page's state, from the live path's status and rep callbacks (no browser, no server)."""
from __future__ import annotations

import json

from sensorkit.ble.link import LinkState, Reconnect
from sensorkit.ble.recorder import LiveStatus
from sensorkit.pipeline.rep import Rep
from sensorkit.live_cues import FIDGET_NOTE, short_of
from sensorkit.pipeline import Pipeline
from sensorkit.sim.session import simulate_session
from sensorkit.web.live_hub import MAX_BACKLOG, LiveHub, SessionPlan, no_failure_tone, rep_note
from pipeline_reasons import leading_texts


def rep(n: int | None, kind: str = "full", rom_deg: float = 40.0, hold_s: float = 3.0, tempo: str = "normal",
        reason: str = "") -> Rep:
    return Rep(rep=n, kind=kind, start_s=10.0 * (n or 0), end_s=10.0 * (n or 0) + 6, rom_deg=rom_deg, hold_s=hold_s,
               out_end_s=0, return_start_s=0, peak_speed_dps=60, out_duration_s=1, return_duration_s=1,
               rest_angle_deg=0, radius_m=0.3, axis_offset_deg=2, tempo=tempo if kind != "rejected" else "",
               reason=reason)


def status(**kw) -> LiveStatus:
    s = LiveStatus(state=LinkState.STREAMING, counts={"full": 0, "partial": 0, "knee_out": 0, "rejected": 0})
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def test_plan_progress_reads_set_and_rep_within_the_set():
    plan = SessionPlan(sets=3, reps_per_set=10, rom_deg=30, hold_s=2)
    assert (plan.progress(0)["set"], plan.progress(0)["rep_in_set"]) == (1, 0)
    assert (plan.progress(17)["set"], plan.progress(17)["rep_in_set"]) == (2, 7)  # "set 2 of 3 · 7 of 10"
    assert (plan.progress(29)["set"], plan.progress(29)["rep_in_set"], plan.progress(29)["done"]) == (3, 9, False)
    assert plan.progress(30)["done"] and plan.progress(30)["set"] == 3


def test_notes_say_why_a_movement_was_not_counted_or_not_toward_the_set():
    plan = SessionPlan(sets=1, reps_per_set=5, rom_deg=30, hold_s=2)
    assert rep_note(rep(None, "rejected", reason="too small (3.1 deg)")).startswith("Too small")
    assert "smoothly" in rep_note(rep(None, "rejected", reason="too abrupt"))
    assert rep_note(rep(None, "rejected", reason="something new")) == "Not counted (something new)."
    assert rep_note(rep(1, tempo="fast")).startswith("Slow down")
    assert rep_note(rep(1), plan) == ""
    note = rep_note(rep(1, rom_deg=25.0, hold_s=1.0), plan)
    assert "reach 30°" in note and "hold 2 s" in note
    assert "thigh" in rep_note(rep(1, "knee_out"))
    # (a knee-out rep reaching both targets: not toward the set, and the note says why, not an empty reason)
    note = rep_note(rep(1, "knee_out", rom_deg=35.0, hold_s=3.0), plan)
    assert "Not toward your set: knee-out reps do not count toward it." in note and ": ." not in note
    assert "Not toward" not in rep_note(rep(1, "knee_out", rom_deg=35.0, hold_s=3.0),
                                        SessionPlan(sets=1, reps_per_set=5, rom_deg=30, hold_s=2, knee_out=True))
    # (a rep the sensor's link cut: the link's fault, said plainly)
    assert rep_note(rep(None, "rejected", reason="cut short: the data stopped (a gap in the recording)")).startswith(
        "The sensor lost contact during that rep")


def test_state_follows_status_and_the_plan_counts_only_reps_meeting_it():
    plan = SessionPlan(sets=2, reps_per_set=2, rom_deg=30, hold_s=2)
    hub = LiveHub(plan=plan, exercise="hip_external_rotation", patient="p101")
    s = status(angle_deg=33.0, phase="hold", hold_elapsed_s=2.5)
    hub.show(s)
    state = hub.snapshot()["state"]
    assert state["angle_deg"] == 33.0 and state["phase"] == "hold" and state["hold_reached"]
    assert state["band_deg"] == 30 and state["target_hold_s"] == 2
    for r in (rep(1), rep(2, rom_deg=20.0), rep(None, "rejected", reason="shaking (5 reversals)"), rep(3)):
        s.counts[r.kind] += 1
        hub.rep(r, s)
    snap = hub.snapshot()
    assert [r["kind"] for r in snap["reps"]] == ["full", "full", "rejected", "full"]
    assert [r["meets_plan"] for r in snap["reps"]] == [True, False, False, True]
    assert snap["state"]["progress"] | {} == plan.progress(2) and snap["state"]["progress"]["set"] == 2
    assert snap["state"]["counted"] == 3 and snap["state"]["counts"]["rejected"] == 1
    json.dumps(snap, allow_nan=False)  # what the page gets is strict JSON


def test_a_hold_under_the_target_range_is_not_called_reached():
    # (a knee-out hold at 19 deg against a 25-deg target was told "Held 3.3 s: return slowly", with
    # the chime, then "Not toward your set: reach 25 deg")
    hub = LiveHub(plan=SessionPlan(sets=1, reps_per_set=5, rom_deg=25, hold_s=3), exercise="hip_external_rotation")
    hub.show(status(angle_deg=19.0, phase="hold", hold_elapsed_s=3.3))
    state = hub.snapshot()["state"]
    assert state["below_target"] is True and not state["hold_reached"]
    hub.show(status(angle_deg=26.0, phase="hold", hold_elapsed_s=3.3))
    state = hub.snapshot()["state"]
    assert state["below_target"] is False and state["hold_reached"]


def test_link_shows_what_a_reconnect_lost():
    gaps = [Reconnect(dropped_at_t_s=12.0)]
    hub = LiveHub(reconnects=lambda: gaps)
    hub.show(status(state=LinkState.RECONNECTING))
    assert hub.snapshot()["state"]["link"]["last_gap"] == {"dropped_at_t_s": 12.0, "resumed": False,
                                                           "lost_s": 0.0, "lost_samples": 0}
    gaps[0].resumed_at_t_s, gaps[0].lost_s, gaps[0].lost_samples = 14.1, 2.0, 200
    hub.show(status())
    link = hub.snapshot()["state"]["link"]
    assert link["state"] == "streaming" and link["last_gap"]["resumed"] and link["last_gap"]["lost_samples"] == 200


def test_a_page_gets_the_snapshot_then_every_message_and_a_stalled_one_a_fresh_snapshot():
    hub = LiveHub()
    hub.show(status(angle_deg=5.0))
    page = hub.subscribe()  # (the queue's get_nowait: no event loop needed here)
    assert page.get_nowait()["type"] == "snapshot"
    hub.show(status(angle_deg=6.0))
    s = status()
    s.counts["full"] = 1
    hub.rep(rep(1), s)
    assert [page.get_nowait()["type"] for _ in range(2)] == ["state", "rep"]
    for _ in range(MAX_BACKLOG + 5):  # the page stops reading
        hub.show(status())
    messages = [page.get_nowait() for _ in range(page.qsize())]
    assert messages[0]["type"] == "snapshot" and len(messages[0]["reps"]) == 1
    hub.close(s)
    assert hub.ended and page.get_nowait()["type"] in ("state", "done")
    hub.unsubscribe(page)
    assert hub.subscribers == 0


def test_every_reason_the_pipeline_gives_has_its_own_note():
    reasons = leading_texts()  # (read from the pipeline's source: tests/pipeline_reasons.py)
    assert len(reasons) >= 18 and "too small for a rep, not held (" in reasons  # (the reading above works)
    for reason in reasons:
        note = rep_note(rep(None, "rejected", reason=reason + "3.1 deg)"))
        assert not note.startswith("Not counted ("), f"no note for the pipeline's reason {reason!r}"
    # (a longer reason is told apart from one its first words begin)
    assert rep_note(rep(None, "rejected", reason="too small for a rep, not held (6.9 deg, 20% of the typical 35 deg)")) \
        != rep_note(rep(None, "rejected", reason="too small (3.1 deg)"))


def test_a_quick_small_movement_not_held_is_told_gently_and_sounds_no_failure_tone():
    # (mostly a fidget: no "move a little further" nagging; if it was an attempt, what to do)
    fidget = rep(None, "rejected", reason="too small for a rep, not held (6.9 deg, 20% of the typical 35 deg)")
    note = rep_note(fidget)
    assert note.startswith("A small quick movement: not counted.") and "hold at the top" in note
    assert no_failure_tone(fidget)
    hub = LiveHub()
    hub.rep(fidget, status())
    assert hub.reps[0]["no_failure_tone"] and not hub.reps[0]["link_lost"]
    # (too small for any rep, or any other reason the patient can act on: the tone sounds)
    assert not no_failure_tone(rep(None, "rejected", reason="too small (3.1 deg)"))
    assert not no_failure_tone(rep(None, "rejected", reason="too abrupt"))
    assert not no_failure_tone(rep(1))
    assert no_failure_tone(rep(None, "rejected", reason="cut short: the data stopped (a gap in the recording)"))


def moved(start_s: float, end_s: float, rom_deg: float, reason: str, hold_s: float = 0.0, n: int | None = None,
          kind: str = "rejected") -> Rep:
    """A movement as the pipeline's row gives it (times in s, ROM in deg)."""
    return Rep(rep=n, kind=kind, start_s=start_s, end_s=end_s, rom_deg=rom_deg, hold_s=hold_s, out_end_s=0,
               return_start_s=0, peak_speed_dps=150, out_duration_s=0.1, return_duration_s=0.1, rest_angle_deg=0,
               radius_m=0.3, axis_offset_deg=89.5, tempo="" if kind == "rejected" else "normal", reason=reason)


#: the rows of one 3-s leg shake between two reps (simulated live session, seed 1: reps.csv)
SHAKE = [moved(21.441, 21.691, 1.6, "too small (1.6 deg)"), moved(21.701, 21.865, 10.9, "too abrupt"),
         moved(21.874, 22.038, 2.1, "too small (2.1 deg)"), moved(22.047, 22.153, -37.2, "too small (-37.2 deg)"),
         *(moved(22.451 + 0.173 * i, 22.586 + 0.173 * i, 3.9, "too small (3.9 deg)") for i in range(11))]


def test_a_leg_shake_sounds_no_failure_tone_and_says_one_gentle_note():
    # (15 rows in 3 s sounded 15 low tones, each "Too small to count: move a little further.")
    hub = LiveHub(plan=SessionPlan(sets=2, reps_per_set=3, rom_deg=30, hold_s=3))
    for r in [moved(13.1, 19.4, 31.6, "", 2.9, n=2, kind="full"), *SHAKE, moved(27.1, 31.8, 38.6, "", 3.1, 3, "full")]:
        hub.rep(r, status())
    shake = hub.reps[1:-1]
    assert len(shake) == 15 and all(r["fidget"] and r["no_failure_tone"] for r in shake)
    assert [r["note"] for r in shake if r["note"]] == [FIDGET_NOTE]  # one note, the first's
    assert "further" not in FIDGET_NOTE
    assert not hub.reps[0]["fidget"] and not hub.reps[-1]["fidget"] and hub.reps[-1]["meets_plan"]
    assert hub.snapshot()["state"]["progress"]["completed"] == 1  # (the rows are all still there: only quiet)


def test_a_failed_attempt_still_sounds_its_tone_and_says_what_to_do():
    hub = LiveHub(plan=SessionPlan(sets=1, reps_per_set=5, rom_deg=30, hold_s=3))
    attempts = [moved(10.0, 12.5, 4.0, "too small (4.0 deg)"),  # slow: an attempt that barely moved
                moved(20.0, 20.6, 28.0, "too abrupt"),  # quick but near the target range: a kick
                moved(29.5, 29.8, 2.0, "too small (2.0 deg)"),  # a fidget ...
                moved(30.0, 32.0, 3.0, "too small (3.0 deg)", hold_s=1.5),  # ... then one held at the top: meant
                moved(40.0, 40.2, 2.0, "cut short: the data stopped (a gap in the recording)")]  # the link's
    for r in attempts:
        hub.rep(r, status())
    assert [r["fidget"] for r in hub.reps] == [False, False, True, False, False]
    assert [r["no_failure_tone"] for r in hub.reps] == [False, False, True, False, True]
    assert hub.reps[0]["note"].startswith("Too small to count") and "smoothly" in hub.reps[1]["note"]
    assert hub.reps[3]["note"].startswith("Too small to count")
    assert hub.reps[4]["note"].startswith("The sensor lost contact")


def test_a_fidget_alone_is_quiet_and_a_new_burst_gets_its_own_note():
    hub = LiveHub(plan=SessionPlan(sets=1, reps_per_set=5, rom_deg=30, hold_s=3))
    for r in (moved(10.0, 10.4, 12.0, "too abrupt"),  # under half the target range, quick: a fidget
              moved(11.5, 11.8, 3.0, "too small (3.0 deg)"),  # 1.1 s later: a burst of its own
              moved(11.9, 13.3, 4.0, "too small (4.0 deg)")):  # a shake's slower last swing: the same burst
        hub.rep(r, status())
    assert [r["fidget"] for r in hub.reps] == [True, True, True]
    assert [r["note"] for r in hub.reps] == [FIDGET_NOTE, FIDGET_NOTE, ""]
    assert all(r["no_failure_tone"] for r in hub.reps)


def test_the_simulated_shake_is_quiet_on_the_page():
    # (the same session as the reviewer's live one, through the pipeline at once: 9 rows for the shake)
    sim = simulate_session(1)
    reps = Pipeline(meta=sim.meta).run(sim.samples)
    hub = LiveHub(plan=SessionPlan(sets=2, reps_per_set=3, rom_deg=30, hold_s=3))
    for r in reps:
        hub.rep(r, status())
    shake = [r for r in hub.reps if 21.0 < r["start_s"] < 25.0]
    assert len(shake) >= 5 and all(r["kind"] == "rejected" for r in shake)
    assert all(r["no_failure_tone"] for r in shake) and len([r for r in shake if r["note"]]) == 1


def test_a_shortfall_is_never_written_as_the_target_it_missed():
    # (it read "reach 40° (this one 40°) and hold 3 s (this one 3.0 s)")
    note = rep_note(rep(1, rom_deg=39.6, hold_s=2.96), SessionPlan(sets=1, reps_per_set=5, rom_deg=40, hold_s=3))
    assert note == "Not toward your set: reach 40° (this one 39.6°) and hold 3 s (this one 2.96 s)."
    note = rep_note(rep(1, rom_deg=35.2, hold_s=1.04), SessionPlan(sets=1, reps_per_set=5, rom_deg=40, hold_s=3))
    assert note == "Not toward your set: reach 40° (this one 35°) and hold 3 s (this one 1.0 s)."  # (as before)
    assert short_of(39.9996, 40) == "39.99" and short_of(41.0, 40) == "41"
    hub = LiveHub(plan=SessionPlan(sets=1, reps_per_set=5, rom_deg=40, hold_s=3))
    hub.rep(rep(1, rom_deg=39.6, hold_s=2.96), status())
    hub.rep(rep(2, rom_deg=44.96, hold_s=3.04), status())
    assert [(r["rom_text"], r["rom_text_whole"], r["hold_text"]) for r in hub.reps] == [
        ("39.6", "39.6", "2.96"), ("45.0", "45", "3.0")]  # (what the page writes: "39.6° held 2.96 s")
