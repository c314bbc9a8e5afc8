"""The live page's state, from the live path's status and rep callbacks (no browser, no server)."""
from __future__ import annotations

import json

from sensorkit.ble.link import LinkState, Reconnect
from sensorkit.ble.recorder import LiveStatus
from sensorkit.pipeline.rep import Rep
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
