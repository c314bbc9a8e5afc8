"""Live displays for ``sensorkit live`` / ``sensorkit record``.

On a terminal (:class:`RichDisplay`): the current exercise angle on a bar with the target band,
the rep counter per kind, the hold timer with a cue when the target hold is reached, the
connection state, battery and packet loss, refreshed several times a second. Without a terminal
(:class:`PlainDisplay`): one log line per rep and per state change, then a summary.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sensorkit.ble.recorder import HoldCue, LiveStatus, hold_cue
from sensorkit.live_cues import BURST_GAP_S, MOVED_NOTE, FidgetBursts, MovedSensor, short_of
from sensorkit.pipeline.rep import COUNTED_KINDS, SHOWN_APART_DEG, Rep

if TYPE_CHECKING:
    from sensorkit.web.live_hub import SessionPlan

BAR_WIDTH = 40
#: what each live phase (``sensorkit.pipeline.pipeline.PHASES``) is called on the terminal: the
#: live page's words (its live.js ``PHASE_WORDS``; tests/web/test_live_phase_words.py keeps them alike)
PHASE_WORDS = {"rest": "Rest", "out": "Moving out", "hold": "Hold", "return": "Return slowly", "still": "Still",
               "moving": "Moving"}
#: ... and its colour there: the live page's (live.css), "" for the terminal's own
PHASE_STYLES = {"rest": "", "out": "#4fb3ff", "hold": "#f2c94c", "return": "#c49bff", "still": "#6fdcc8",
                "moving": "#ff9e80"}
#: what each rep kind is called in the panel's counts: the live page's (its live.js ``KIND_WORDS``;
#: tests/web/test_live_kind_words.py keeps them alike)
KIND_WORDS = {"full": "full", "partial": "partial", "knee_out": "knee out", "rejected": "not counted"}


def target_cue(status: LiveStatus) -> HoldCue:
    """The hold against the prescription (:func:`~sensorkit.ble.recorder.hold_cue`, the live page's
    rule too): the status's target range and hold time; a "usual" band is no target."""
    return hold_cue(status, status.target_rom_deg or None, status.target_hold_s)


def rep_line(rep: Rep, target_rom_deg: float | None = None, target_hold_s: float | None = None) -> str:
    """One line describing a rep event; a ROM (deg) or hold (s) short of its target is never
    written rounded up to it (:func:`~sensorkit.live_cues.short_of`)."""
    if rep.kind == "rejected":
        return f"movement rejected ({rep.reason or 'not a rep of the exercise'}) {rep.start_s:.1f}-{rep.end_s:.1f} s"
    rushed = ", fast: slow down" if rep.tempo == "fast" else ""
    def shown(deg: float) -> str:  # (short of the target: never rounded up to it)
        return short_of(deg, target_rom_deg, 1) if target_rom_deg else f"{deg:.1f}"

    # (begun at a swing's bottom, its arc is longer than how far it got from rest, which a target is met by)
    apart = rep.reached_deg < rep.rom_deg - SHOWN_APART_DEG
    rom = f"{rep.rom_deg:.1f} ({shown(rep.reached_deg)} from rest)" if apart else shown(rep.rom_deg)
    hold = short_of(rep.hold_s, target_hold_s, 1) if target_hold_s else f"{rep.hold_s:.1f}"
    return f"rep {rep.rep} {rep.kind}: ROM {rom} deg, hold {hold} s{rushed} ({rep.start_s:.1f}-{rep.end_s:.1f} s)"


def toward_set(rep: Rep, plan: SessionPlan | None, completed: int) -> str:
    """What counted ``rep`` does toward the prescribed sets (``plan``: ``--prescription``'s), by the
    report's rule (:meth:`~sensorkit.web.live_hub.SessionPlan.meets`), ``completed`` the prescribed
    reps completed with it: "; counts toward set 1 of 2 (3 of 8)", or why not ("; not toward your
    set: reach 40 deg (this one 38.8 deg)"); "" without a plan or for a rejected movement."""
    if plan is None or not rep.counted:
        return ""
    if plan.meets(rep):
        if completed > plan.total:
            return f"; counts, beyond the {plan.total} prescribed"
        set_index, in_set = divmod(completed - 1, plan.reps_per_set)
        return f"; counts toward set {set_index + 1} of {plan.sets} ({in_set + 1} of {plan.reps_per_set})"
    short = plan.shortfalls(rep, " deg", rom_digits=1)  # (as the rep line writes its ROM)
    return "; not toward your set: " + (" and ".join(short) if short else "knee-out reps do not count toward it")


def prescribed_words(plan: SessionPlan | None, completed: int) -> str:
    """The done line's count of prescribed reps ``completed`` (the report's reps_completed of the
    session), "" without a plan."""
    if plan is None:
        return ""
    return (f"{completed} of {plan.total} prescribed reps completed"
            f" (reaching {plan.rom_deg:g} deg, held {plan.hold_s:g} s); ")


class RepCues:
    """What the live views say of each rep beyond its line, from all the reps so far: its
    :func:`toward_set` words (``plan``: ``--prescription``'s; ``completed`` counts its reps by the
    report's rule) and, once, :data:`~sensorkit.live_cues.MOVED_NOTE`."""

    def __init__(self, plan: SessionPlan | None = None) -> None:
        self.plan, self.completed, self._moved = plan, 0, MovedSensor()

    def judge(self, rep: Rep) -> tuple[str, bool]:
        """(the :func:`toward_set` words of ``rep``, the next movement; whether the sensor seems to
        have turned on the leg with it: said once)."""
        self.completed += bool(self.plan is not None and self.plan.meets(rep))
        return toward_set(rep, self.plan, self.completed), self._moved.judge(rep)

    def done_words(self) -> str:
        """:func:`prescribed_words` of the session so far."""
        return prescribed_words(self.plan, self.completed)


def summary_line(status: LiveStatus, path: str | None, with_reps: bool = True, prescribed: str = "") -> str:
    """The done line; ``prescribed``: :func:`prescribed_words`, after the reps."""
    kinds = ", ".join(f"{k} {n}" for k, n in status.counts.items() if k in COUNTED_KINDS)
    rejected = status.counts.get("rejected", 0)
    reps = f"{status.counted_reps} reps ({kinds}; fast {status.fast_reps}), {rejected} rejected; " if with_reps else ""
    reps += prescribed if with_reps else ""
    where = f" to {path}" if path and os.path.exists(path) else ""  # (no file: none was made, nothing saved)
    return (f"done ({status.state.value}): {reps}saved {status.samples_saved} samples{where}; "
            f"loss {100 * status.loss_fraction:.1f}%, reconnects {status.reconnects}")


def _state_words(status: LiveStatus) -> str:
    battery = f", battery {status.battery_percent}%" if status.battery_percent is not None else ""
    return f"link {status.state.value} ({status.sensor}{battery})"


class PlainDisplay:
    """Log lines for pipes and files: state changes, the cues the terminal view shows in a hold
    ("go a little further", "hold reached"), reps (``show_reps``; a burst of fidgets as its first
    and one line for the rest: :class:`~sensorkit.live_cues.FidgetBursts`), a summary."""

    def __init__(self, stream: TextIO | None = None, show_reps: bool = True, path: str | None = None,
                 targets_note: str = "", plan: SessionPlan | None = None) -> None:
        self.stream = stream or sys.stdout
        self._cues = RepCues(plan)
        self.show_reps = show_reps
        self.path = path
        self._targets_note = targets_note  # (said after the first link line: the targets and where from)
        self._last_state: str | None = None
        self._cued = False
        self._below_said = False
        self._fidgets = FidgetBursts()
        self._burst: list[Rep] = []  # the fidgets after the first of the burst under way, not yet said

    def _print(self, status: LiveStatus, text: str) -> None:
        print(f"[{status.t_s:8.1f} s] {text}", file=self.stream, flush=True)

    def show(self, status: LiveStatus) -> None:
        words = _state_words(status)
        if self._burst and status.t_s > self._burst[-1].end_s + 3 * BURST_GAP_S:  # (one more would be decided by now)
            self._end_burst(status)
        if status.state.value != self._last_state:
            self._last_state = status.state.value
            self._print(status, words)
            if self._targets_note:
                self._print(status, self._targets_note)
                self._targets_note = ""
        cue = target_cue(status)
        if cue.below_target and not self._below_said:  # (the terminal view's words, once per hold)
            self._print(status, f"hold {status.hold_elapsed_s:.1f} s: go a little further ({status.target_rom_deg:.0f} deg)")
        self._below_said = status.phase == "hold" and (self._below_said or bool(cue.below_target))
        if cue.reached and not self._cued:
            self._print(status, f"hold {status.target_hold_s:g} s reached: return slowly")
        self._cued = status.phase != "rest" and (self._cued or cue.reached)  # once per rep

    def rep(self, rep: Rep, status: LiveStatus) -> None:
        self._cued = self._below_said = False
        toward, moved = self._cues.judge(rep)
        burst = self._fidgets.judge(rep, status.target_rom_deg or None)
        if burst == "more":
            self._burst.append(rep)
            return
        self._end_burst(status)
        if self.show_reps:
            fidget = ": a small quick movement (a fidget or shake), no cue" if burst == "first" else ""
            self._print(status, rep_line(rep, status.target_rom_deg, status.target_hold_s) + toward + fidget)
        if moved:
            self._print(status, MOVED_NOTE)

    def _end_burst(self, status: LiveStatus) -> None:
        """Say the fidgets of the burst just ended after its first, in one line."""
        if self._burst and self.show_reps:
            n = len(self._burst)
            self._print(status, f"{n} more small quick {'movement' if n == 1 else 'movements'} (a fidget or shake) "
                                f"{self._burst[0].start_s:.1f}-{self._burst[-1].end_s:.1f} s: not counted, no cue")
        self._burst = []

    def close(self, status: LiveStatus) -> None:
        self.show(status)
        self._end_burst(status)
        print(summary_line(status, self.path, self.show_reps, self._cues.done_words()),
              file=self.stream, flush=True)


class RichDisplay:
    """A live panel on a terminal (see module doc)."""

    def __init__(self, console: Console | None = None, path: str | None = None, targets_note: str = "",
                 plan: SessionPlan | None = None) -> None:
        self.console = console or Console()
        self._cues, self._toward = RepCues(plan), ""
        if targets_note:  # (above the panel: the targets and where each came from)
            self.console.print(targets_note, markup=False, emoji=False, highlight=False)
        self.path = path
        self._last_rep: Rep | None = None
        self._full_roms_deg: list[float] = []
        self._rom_scale_deg = 60.0
        self._cued = False
        self._live = Live(console=self.console, refresh_per_second=8, transient=False)
        self._live.start()

    def show(self, status: LiveStatus) -> None:
        reached = target_cue(status).reached
        if reached and not self._cued:
            self.console.bell()
        self._cued = status.phase != "rest" and (self._cued or reached)  # once per rep
        self._live.update(self.render(status))

    def rep(self, rep: Rep, status: LiveStatus) -> None:
        self._last_rep = rep
        self._cued = False
        self._toward, moved = self._cues.judge(rep)
        if moved:  # (above the panel, once)
            self.console.print(MOVED_NOTE, markup=False, emoji=False, highlight=False)
        if rep.kind != "rejected":
            self._rom_scale_deg = max(self._rom_scale_deg, 1.25 * rep.reached_deg)
        if rep.kind == "full":  # (the usual band, as the live angle reads: from rest)
            self._full_roms_deg.append(rep.reached_deg)
        self._live.update(self.render(status))

    def abandon(self) -> None:
        """Stop the panel where it is, with no summary (the run ended before any data came): the
        terminal's cursor is shown again."""
        self._live.stop()

    def close(self, status: LiveStatus) -> None:
        self._live.update(self.render(status))
        self._live.stop()
        self.console.print(summary_line(status, self.path, prescribed=self._cues.done_words()),
                           markup=False, emoji=False, highlight=False)

    def render(self, status: LiveStatus) -> Panel:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("angle", self._angle_bar(status))
        grid.add_row("phase", self._phase_text(status))
        grid.add_row("reps", Text("   ".join([*(f"{KIND_WORDS.get(k, k)} {n}" for k, n in status.counts.items()),
                                             f"(fast {status.fast_reps})"])))
        if self._last_rep is not None:
            grid.add_row("last", Text(rep_line(self._last_rep, status.target_rom_deg, status.target_hold_s)
                                      + self._toward))
        state_style = {"streaming": "green", "reconnecting": "yellow", "gave_up": "red", "refused": "red"}.get(status.state.value, "white")
        footer = Text.assemble((status.state.value, state_style),
                               f"   battery {status.battery_percent}%" if status.battery_percent is not None else "",
                               f"   loss {100 * status.loss_fraction:.1f}%   reconnects {status.reconnects}"
                               f"   t {status.t_s:.1f} s   {status.samples_saved} samples saved")
        return Panel(Group(grid, footer), title=f"sensorkit live: {status.sensor}", expand=False)

    def _band_start_deg(self, status: LiveStatus) -> tuple[float | None, str]:
        """Where the target band starts: the target ROM, else the usual full-rep ROM (after 3 reps)."""
        if status.target_rom_deg:
            return status.target_rom_deg, "target"
        if len(self._full_roms_deg) >= 3:
            return float(sorted(self._full_roms_deg)[len(self._full_roms_deg) // 2]), "usual"
        return None, ""

    def _angle_bar(self, status: LiveStatus) -> Text:
        scale = self._rom_scale_deg
        band_deg, band_name = self._band_start_deg(status)
        cells = ["·"] * BAR_WIDTH
        if band_deg is not None:
            first = min(int(band_deg / scale * BAR_WIDTH), BAR_WIDTH - 1)
            cells[first:] = ["░"] * (BAR_WIDTH - first)  # the band: at or beyond the target ROM
        filled = max(0, min(int(status.angle_deg / scale * BAR_WIDTH), BAR_WIDTH))
        in_band = band_deg is not None and status.angle_deg >= band_deg
        bar = Text()  # (each part styled, not the Text: its style covered the readout and the band's name)
        bar.append("█" * filled, style="green" if in_band else "cyan")
        bar.append("".join(cells[filled:]), style="dim green")
        bar.append(f"  {round(status.angle_deg, 1) + 0.0:5.1f} deg")  # (+ 0.0: no "-0.0" at rest)
        if band_deg is not None:
            bar.append(f"  ({band_name} {band_deg:.0f} deg)", style="dim")
        return bar

    def _phase_text(self, status: LiveStatus) -> Text:
        """The phase's word in its colour; in a hold, the time held in the normal style, against the
        target hold, as the live page words it ("Hold  1.2 of 2 s"; reached: "return slowly"; under
        the target range: "go a little further", no target time)."""
        text = Text()  # (the word styled, not the Text: its style would cover what is appended)
        text.append(PHASE_WORDS.get(status.phase, status.phase), style=PHASE_STYLES.get(status.phase, ""))
        if status.phase != "hold":
            return text
        cue = target_cue(status)
        held = f"{status.hold_elapsed_s:.1f}"
        if cue.below_target:
            text.append(f"  {held} s: go a little further ({status.target_rom_deg:.0f} deg)")
        elif status.target_hold_s:
            text.append(f"  {held} of {status.target_hold_s:g} s")
            if cue.reached:
                text.append("  reached: return slowly", style="bold green")
        else:
            text.append(f"  {held} s")
        return text


def make_display(show_reps: bool = True, path: str | None = None, stream: TextIO | None = None,
                 rich: bool | None = None, targets_note: str = "", plan: SessionPlan | None = None):
    """A :class:`RichDisplay` on a terminal (``show_reps``), else a :class:`PlainDisplay`; either
    says ``targets_note`` (the targets and where from) first, and with ``plan`` (``--prescription``'s)
    what each rep does toward the prescribed sets and, at the end, how many were completed."""
    stream = stream or sys.stdout
    use_rich = (stream.isatty() and show_reps) if rich is None else rich
    if use_rich:
        return RichDisplay(Console(file=stream), path, targets_note, plan)
    return PlainDisplay(stream, show_reps, path, targets_note, plan)
