"""Score detected reps against ground truth (simulator truth files or annotated recordings).

Matching: a detected movement and a true one match when their [start, end] intervals overlap by
at least ``min_overlap`` of the shorter one; each truth is matched at most once, the pair with the
largest intersection over union first.

Figures (over any number of recordings):
    rep F1 on counted reps; share of recordings with exactly the true count; kind accuracy on
    matched counted reps; share of distractors not counted; ROM RMSE (deg) and hold MAE (s) on
    matched counted reps; tempo accuracy on matched counted reps whose truth has a tempo (and the
    share of truly fast reps called fast), and the same against the tempo the simulated patient was
    drawn with (``drawn_tempo``, when the truth has it).

Tempo truth: the simulator draws some reps *rushed* (the hold skipped, movements a little quicker,
as the real fast reps), but a rushed rep of a patient who barely holds can last as long as a
controlled one, and a controlled rep drawn without a hold is as short as a rushed one. What the
product calls ``fast`` is defined on durations (:mod:`sensorkit.pipeline.tempo`: a rep lasting less
than ``fast_fraction`` of the patient's controlled rep, as known when the rep ends), so
:func:`tempo_by_definition` applies that definition to the simulator's exact timings: the truth
the pipeline has to estimate.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sensorkit import exercises
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.rep import COUNTED_KINDS, Rep
from sensorkit.pipeline.tempo import TempoJudge, prescribed_rep_s


@dataclass
class Truth:
    """A true movement: ``kind`` is full, partial, knee_out or rejected."""

    kind: str
    start_s: float
    end_s: float
    rom_deg: float
    hold_s: float
    label: str = ""
    tempo: str = ""  # counted reps: "normal" | "fast" (empty when the truth does not say)
    drawn_tempo: str = ""  # simulated reps: the tempo the patient was drawn with (rushed = fast)


def tempo_by_definition(truth: list[Truth], meta: Mapping[str, Any], config: PipelineConfig | None = None) -> list[Truth]:
    """``truth`` with each counted rep's ``tempo`` by the product's definition applied to its true
    duration: :class:`~sensorkit.pipeline.tempo.TempoJudge`, set up as the pipeline sets it up for a
    recording with sidecar ``meta`` (its exercise's ``config``, its prescribed duration), fed the
    true durations in order. The definition is causal (a rep
    is judged when it ends, against what is known of the patient by then), so the truth is too; the
    pipeline is scored on measuring the durations and applying it. ``drawn_tempo`` keeps what the
    simulator drew."""
    resolved = (config or PipelineConfig()).resolved(exercises.get(meta.get("exercise")))
    judge = TempoJudge(resolved, prescribed_rep_s(meta, resolved.controlled_rep_s))
    out = list(truth)
    for i in sorted((i for i, tr in enumerate(truth) if tr.kind in COUNTED_KINDS and tr.tempo),
                    key=lambda i: truth[i].start_s):
        tr = truth[i]
        out[i] = replace(tr, drawn_tempo=tr.tempo, tempo=judge.judge(tr.end_s - tr.start_s, tr.hold_s))
    return out


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    shorter = max(1e-9, min(a1 - a0, b1 - b0))
    return max(0.0, min(a1, b1) - max(a0, b0)) / shorter


def _iou(a0: float, a1: float, b0: float, b1: float) -> float:
    inter = max(0.0, min(a1, b1) - max(a0, b0))
    return inter / max(1e-9, max(a1, b1) - min(a0, b0))


def match(detected: list[Rep], truth: list[Truth], min_overlap: float = 0.5) -> list[tuple[int, int]]:
    """Pairs (detected index, truth index): intervals overlapping by at least ``min_overlap`` of
    the shorter, paired greedily by intersection over union (so a small fragment inside a rep
    never takes the rep's pairing from the movement that covers it)."""
    pairs = []
    for i, d in enumerate(detected):
        for j, tr in enumerate(truth):
            ov = _overlap(d.start_s, d.end_s, tr.start_s, tr.end_s)
            if ov >= min_overlap:
                pairs.append((_iou(d.start_s, d.end_s, tr.start_s, tr.end_s), i, j))
    used_d, used_t, out = set(), set(), []
    for _, i, j in sorted(pairs, reverse=True):
        if i not in used_d and j not in used_t:
            used_d.add(i)
            used_t.add(j)
            out.append((i, j))
    return out


@dataclass
class Score:
    """Running tallies over recordings; :meth:`figures` gives the summary."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    kind_ok: int = 0
    distractors: int = 0
    distractors_rejected: int = 0
    recordings: int = 0
    exact_count: int = 0
    rom_err: list[float] = field(default_factory=list)
    hold_err: list[float] = field(default_factory=list)
    tempo_n: int = 0
    tempo_ok: int = 0
    fast_n: int = 0
    fast_caught: int = 0
    drawn_n: int = 0
    drawn_ok: int = 0
    confusions: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, detected: list[Rep], truth: list[Truth]) -> None:
        counted = [d for d in detected if d.kind in COUNTED_KINDS]
        pairs = match(detected, truth)
        self.recordings += 1
        true_counted = [tr for tr in truth if tr.kind in COUNTED_KINDS]
        self.exact_count += len(counted) == len(true_counted)
        matched_truth = {}
        for i, j in pairs:
            matched_truth[j] = detected[i]
        for j, tr in enumerate(truth):
            d = matched_truth.get(j)
            got = str(d.kind) if d is not None else "missed"  # (the value, not the enum member)
            if got != tr.kind:
                key = (tr.label or tr.kind, got)
                self.confusions[key] = self.confusions.get(key, 0) + 1
            if tr.kind == "rejected":
                self.distractors += 1
                self.distractors_rejected += d is None or d.kind == "rejected"
                continue
            if d is None or d.kind == "rejected":
                self.fn += 1
                continue
            self.tp += 1
            self.kind_ok += d.kind == tr.kind
            self.rom_err.append(d.rom_deg - tr.rom_deg)
            self.hold_err.append(d.hold_s - tr.hold_s)
            if tr.tempo:
                self.tempo_n += 1
                self.tempo_ok += d.tempo == tr.tempo
                if tr.drawn_tempo:
                    self.drawn_n += 1
                    self.drawn_ok += d.tempo == tr.drawn_tempo
                if tr.tempo == "fast":
                    self.fast_n += 1
                    self.fast_caught += d.tempo == "fast"
        matched_detected = {i for i, _ in pairs}
        for i, d in enumerate(detected):
            if d.kind in COUNTED_KINDS and i not in matched_detected:
                self.fp += 1
            elif d.kind in COUNTED_KINDS and truth[dict(pairs)[i]].kind == "rejected":
                self.fp += 1

    def figures(self) -> dict[str, float]:
        precision = self.tp / max(1, self.tp + self.fp)
        recall = self.tp / max(1, self.tp + self.fn)
        rom = np.asarray(self.rom_err)
        hold = np.asarray(self.hold_err)
        return {
            "recordings": self.recordings,
            "true_reps": self.tp + self.fn,
            "rep_f1": 2 * precision * recall / max(1e-12, precision + recall),
            "exact_count_share": self.exact_count / max(1, self.recordings),
            "kind_accuracy": self.kind_ok / max(1, self.tp),
            "distractors": self.distractors,
            "distractor_rejection": self.distractors_rejected / max(1, self.distractors),
            "rom_rmse_deg": float(np.sqrt(np.mean(rom**2))) if len(rom) else float("nan"),
            "rom_max_abs_err_deg": float(np.max(np.abs(rom))) if len(rom) else float("nan"),
            "hold_mae_s": float(np.mean(np.abs(hold))) if len(hold) else float("nan"),
            "tempo_accuracy": self.tempo_ok / self.tempo_n if self.tempo_n else float("nan"),
            "fast_reps": self.fast_n,
            "fast_recall": self.fast_caught / self.fast_n if self.fast_n else float("nan"),
            "tempo_vs_drawn": self.drawn_ok / self.drawn_n if self.drawn_n else float("nan"),
        }


# -- real recordings labelled per session and per set ----------------------------------------------

def _set_of_reps(reps: list[Rep], sets: list[dict]) -> list[list[Rep]]:
    """The counted reps of each labelled set: by the set's time window when it has one (midpoint
    of the rep within it, 2 s of slack), else in time order (the first ``reps`` to the first set...)."""
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    if sets and all("start_s" in s for s in sets):
        return [[r for r in counted if s["start_s"] - 2 <= (r.start_s + r.end_s) / 2 <= s["end_s"] + 2]
                for s in sets]
    out, i = [], 0
    for s in sets:
        out.append(counted[i:i + s["reps"]])
        i += s["reps"]
    return out


#: counts also right, beyond ``counted_reps``, for labelled real recordings whose labels say so only
#: in their note (by recording name): PHYTMO B05's incorrect series, "an 11th, small incomplete
#: swing may count as partial" (its data set's README: "10, and a small incomplete 11th swing")
ALSO_RIGHT: dict[str, tuple[int, ...]] = {"phytmo_b05kfel1_1": (11,)}


def read_labels(folder) -> dict[str, dict]:
    """The ``labels.json`` of a folder of labelled real recordings, by recording name, with
    ``counted_reps_also`` (other counts also right) added from :data:`ALSO_RIGHT`."""
    import json
    from pathlib import Path

    labels = json.loads((Path(folder) / "labels.json").read_text())
    return {name: label | ({"counted_reps_also": list(ALSO_RIGHT[name])} if name in ALSO_RIGHT else {})
            for name, label in labels.items()}


def score_real(reps: list[Rep], label: dict) -> tuple[dict, list[dict]]:
    """One labelled real recording: (session row, set rows). ``label`` is its ``labels.json`` entry:
    ``counted_reps`` (and optional ``counted_reps_also``: other counts also right, such as an
    incomplete last swing counted or not) and optional ``sets`` (``execution``, ``reps``, ``kind``,
    ``tempo``, window). ``exact``: the count is one of those."""
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    right = {label["counted_reps"], *label.get("counted_reps_also", ())}
    session = {"counted": len(counted), "truth": label["counted_reps"],
               "exact": len(counted) in right, "rejected": len(reps) - len(counted)}
    rows = []
    for s, got in zip(label.get("sets", []), _set_of_reps(reps, label.get("sets", []))):
        rows.append({
            "execution": s["execution"], "truth": s["reps"], "counted": len(got),
            "kind_ok": sum(r.kind == s["kind"] for r in got), "tempo_ok": sum(r.tempo == s["tempo"] for r in got),
            "labelled": min(len(got), s["reps"]),
            "rom_median_deg": float(np.median([r.rom_deg for r in got])) if got else float("nan"),
            "hold_median_s": float(np.median([r.hold_s for r in got])) if got else float("nan"),
            "duration_median_s": float(np.median([r.end_s - r.start_s for r in got])) if got else float("nan"),
        })
    return session, rows


def score_real_folder(folder, config=None) -> tuple[list[dict], list[dict]]:
    """Every labelled recording of ``folder`` (a ``labels.json`` beside the CSVs) through the
    pipeline: (session rows, set rows), each with its ``recording`` name. Kind and tempo are right
    for a set's rep when they equal the set's label; ``labelled`` counts the reps judged."""
    from pathlib import Path

    from sensorkit.io import read_recording
    from sensorkit.pipeline import Pipeline

    folder = Path(folder)
    labels = read_labels(folder)
    sessions, sets = [], []
    for name, label in sorted(labels.items()):
        rec = read_recording(folder / f"{name}.csv")
        reps = Pipeline(config, meta=rec.meta.to_dict()).run(rec.samples)
        session, rows = score_real(reps, label)
        sessions.append({"recording": name, **session})
        sets += [{"recording": name, **row} for row in rows]
    return sessions, sets
