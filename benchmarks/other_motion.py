"""A second opinion on rep counting: sessions from a motion model that is not the project's simulator.

    python benchmarks/other_motion.py                       # 40 sessions per exercise
    python benchmarks/other_motion.py --sessions 200 --exercise knee_extension --show-misses

The project's simulator learned its motion from the real recordings, and the pipeline was tuned
against both: a third source of motion, written apart from either, checks that what the pipeline
does generalises. Here every phase follows a velocity profile the simulator never draws (a raised
cosine, a trapezoid with its own ramps, or a skewed bump), and each session mixes what real
patients do, each drawn at random:

- three sets: correct reps (held 1.5–6 s), fast reps (held 0–0.6 s, quicker phases; in one
  session of four, a continuous series with no rest at all and the foot swinging 0–15° past the
  rest pose), and low-amplitude reps (0.35–0.6 of the full range, held);
- holds that wobble (1–3 Hz, up to 3° each way or 10 % of the rep's range) and sag (up to 5° or
  15 % of the range), outward phases that overshoot
  (up to 8 %) and settle, returns in two stages (one in three: a stop 10–25 % of the range above
  rest for 0.3–1.5 s), rests of 0.4–4 s, a rest pose that moves by up to ±8° between sets;
- the sensor: a random strap rotation, 0.25–0.45 m below the pivot, 25, 50 or 100 Hz, a gyro
  bias of up to ±2 deg/s per axis, noise of 0.05 m/s² and 0.3 deg/s rms.

The readings are exact physics of a rigid shank turning about a horizontal axis (gravity turned
with the sensor, tangential and centripetal acceleration). Scored per session: counted exactly;
per set: the count, the kind (full for correct and fast sets, partial for low-amplitude ones) and
the tempo (fast for the fast set, normal otherwise), as ``accuracy.py --real`` scores the UCI
sessions. Nothing here feeds a threshold.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

from sensorkit.pipeline import Pipeline
from sensorkit.samples import GRAVITY_MS2, Samples

#: the full range drawn per exercise (deg): a patient's usual full rep
FULL_ROM_DEG = {"knee_extension": (45.0, 90.0), "hip_external_rotation": (22.0, 45.0)}


def _bump(tau: np.ndarray, shape: str, skew: float) -> np.ndarray:
    """Position 0 -> 1 over tau in [0, 1] for a velocity profile of ``shape``."""
    tau = np.clip(tau, 0.0, 1.0)
    if shape == "cosine":  # velocity sin^2: position tau - sin(2 pi tau) / (2 pi)
        return tau - np.sin(2 * np.pi * tau) / (2 * np.pi)
    if shape == "trapezoid":  # constant acceleration for ``skew`` of the phase, cruise, constant deceleration
        r = skew
        v = 1.0 / (1.0 - r)
        return np.where(tau < r, 0.5 * v / r * tau**2,
                        np.where(tau > 1 - r, 1.0 - 0.5 * v / r * (1 - tau) ** 2, 0.5 * v * r + v * (tau - r)))
    # skewed: velocity tau^a (1 - tau)^b, integrated numerically (a, b from skew)
    a, b = 1.0 + 3.0 * skew, 1.0 + 3.0 * (1.0 - skew)
    grid = np.linspace(0.0, 1.0, 401)
    v = grid**a * (1 - grid) ** b
    pos = np.concatenate([[0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(grid))])
    return np.interp(tau, grid, pos / pos[-1])


@dataclass
class SetTruth:
    execution: str  # correct, fast, low
    reps: int
    start_s: float
    end_s: float
    kind: str
    tempo: str


def session(seed: int, exercise: str) -> tuple[Samples, list[SetTruth], dict]:
    """One session's readings, its sets' truth, and what was drawn."""
    rng = np.random.default_rng(seed)
    fs = float(rng.choice([25.0, 50.0, 100.0]))
    full = rng.uniform(*FULL_ROM_DEG[exercise])
    continuous = rng.random() < 0.25
    t_s, theta = [0.0], [0.0]

    def go(duration_s: float, to_deg: float, shape: str | None = None) -> None:
        n = max(2, int(round(duration_s * 400)))
        tau = np.linspace(0, 1, n + 1)[1:]
        shape = shape or str(rng.choice(["cosine", "trapezoid", "skewed"]))
        pos = _bump(tau, shape, float(rng.uniform(0.15, 0.4) if shape == "trapezoid" else rng.uniform(0.2, 0.8)))
        start = theta[-1]
        t_s.extend(t_s[-1] + tau * duration_s)
        theta.extend(start + (to_deg - start) * pos)

    def stay(duration_s: float, wobble_deg: float = 0.0, sag_deg: float = 0.0, drift_deg: float = 0.0) -> None:
        n = max(2, int(round(duration_s * 400)))
        tau = np.linspace(0, 1, n + 1)[1:]
        tt = tau * duration_s
        f1, f2 = rng.uniform(1.0, 3.0, 2)
        p1, p2 = rng.uniform(0, 2 * np.pi, 2)
        w = wobble_deg * (0.6 * np.sin(2 * np.pi * f1 * tt + p1) + 0.4 * np.sin(2 * np.pi * f2 * tt + p2))
        w *= np.minimum(1.0, np.minimum(tt, duration_s - tt) / 0.2)  # (eased in and out: no jump)
        start = theta[-1]
        t_s.extend(t_s[-1] + tt)
        theta.extend(start - sag_deg * tau + drift_deg * tau + w)

    rest = 0.0
    shifts: list[tuple[float, float]] = []  # (the rest pose after each set, deg; the still time there, s)
    stay(float(rng.uniform(3.0, 6.0)))
    sets: list[SetTruth] = []
    for execution in ("correct", "fast", "low"):
        n = int(rng.integers(5, 11))
        start = t_s[-1]
        for i in range(n):
            rom = full * (rng.uniform(0.35, 0.6) if execution == "low" else rng.uniform(0.88, 1.08))
            quick = execution == "fast"
            out_s = rng.uniform(0.5, 1.0) if quick else rng.uniform(0.9, 2.5)
            back_s = rng.uniform(0.5, 1.0) if quick else rng.uniform(0.9, 2.5)
            over = rom * rng.uniform(0.0, 0.08) if rng.random() < 0.5 else 0.0
            go(out_s, rest + rom + over)
            if over:
                go(0.3, rest + rom)
            if quick:
                hold = 0.0 if continuous else rng.uniform(0.0, 0.6)
                if hold:
                    stay(hold, wobble_deg=rng.uniform(0, 1.5))
            else:
                stay(rng.uniform(1.5, 6.0), wobble_deg=rng.uniform(0, min(3.0, 0.1 * rom)),
                     sag_deg=rng.uniform(0, min(5.0, 0.15 * rom)))
            if not quick and rng.random() < 1 / 3:  # a return in two stages
                stop = rest + rom * rng.uniform(0.10, 0.25)
                go(back_s * 0.8, stop)
                stay(rng.uniform(0.3, 1.5), wobble_deg=rng.uniform(0, 1.0))
                go(rng.uniform(0.4, 1.0), rest)
            elif quick and continuous:
                swing = rng.uniform(0.0, 15.0) if exercise == "knee_extension" else rng.uniform(0.0, 5.0)
                go(back_s, rest - swing)
                if i < n - 1:
                    continue  # the next rep goes out from the swing's bottom
                go(0.6, rest)
            else:
                go(back_s, rest)
            if i < n - 1:
                stay(rng.uniform(0.4, 4.0))
        kind = "partial" if execution == "low" else "full"
        sets.append(SetTruth(execution, n, start, t_s[-1], kind, "fast" if execution == "fast" else "normal"))
        # between sets: a long pause; the rest pose moves (shifting in the chair)
        new_rest = rest + rng.uniform(-8.0, 8.0)
        stay(rng.uniform(8.0, 15.0))
        go(rng.uniform(1.0, 2.0), new_rest)
        rest = new_rest
        still_s = rng.uniform(10.0, 25.0)
        stay(still_s)
        shifts.append((round(new_rest, 1), round(still_s, 1)))
    t_fine, theta_fine = np.asarray(t_s), np.asarray(theta)
    t = np.arange(0.0, t_fine[-1], 1.0 / fs)
    drawn = dict(fs_hz=fs, full_rom_deg=full, continuous=continuous, rests=shifts)
    return _readings(t, t_fine, theta_fine, rng), sets, drawn


def _readings(t: np.ndarray, t_fine: np.ndarray, theta_fine: np.ndarray, rng: np.random.Generator) -> Samples:
    """Exact readings of a shank turning by ``theta_fine`` (deg at ``t_fine``) about a horizontal
    axis through a pivot above the sensor, sampled at ``t``, in a random strap rotation."""
    omega_fine = np.gradient(theta_fine, t_fine)
    alpha_fine = np.gradient(omega_fine, t_fine)
    theta = np.interp(t, t_fine, theta_fine)
    omega = np.interp(t, t_fine, omega_fine)
    alpha = np.interp(t, t_fine, alpha_fine)
    strap = Rotation.random(random_state=int(rng.integers(1 << 31)))
    axis = strap.apply([1.0, 0.0, 0.0])  # the pivot's axis, horizontal
    g_rest = strap.apply([0.0, 0.0, GRAVITY_MS2])  # specific force at rest: up
    rho = -g_rest / GRAVITY_MS2 * rng.uniform(0.25, 0.45)  # pivot -> sensor: straight down at rest
    turn = Rotation.from_rotvec(-np.outer(np.radians(theta), axis))  # the world turned in the sensor frame
    w, a = np.radians(omega), np.radians(alpha)
    acc = turn.apply(g_rest) + np.outer(a, np.cross(axis, rho)) - np.outer(w**2, rho)
    gyr = np.outer(omega, axis) + rng.uniform(-2.0, 2.0, 3)
    acc += 0.05 * rng.standard_normal(acc.shape)
    gyr += 0.3 * rng.standard_normal(gyr.shape)
    return Samples(t, acc, gyr)


def score(seed: int, exercise: str) -> dict:
    samples, sets, drawn = session(seed, exercise)
    reps = [r for r in Pipeline(meta={"exercise": exercise}).run(samples) if r.kind != "rejected"]
    out = dict(seed=seed, truth=sum(s.reps for s in sets), counted=len(reps), sets=[], **drawn)
    for s in sets:
        mine = [r for r in reps if s.start_s - 0.5 <= 0.5 * (r.start_s + r.end_s) <= s.end_s + 0.5]
        out["sets"].append(dict(execution=s.execution, truth=s.reps, counted=len(mine),
                                kind=sum(r.kind == s.kind for r in mine), tempo=sum(r.tempo == s.tempo for r in mine)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=500_000)
    ap.add_argument("--exercise", choices=sorted(FULL_ROM_DEG), action="append")
    ap.add_argument("--show-misses", action="store_true", help="one line per session not counted exactly")
    args = ap.parse_args()
    for exercise in args.exercise or sorted(FULL_ROM_DEG, reverse=True):
        results = [score(seed, exercise) for seed in range(args.first_seed, args.first_seed + args.sessions)]
        exact = sum(r["counted"] == r["truth"] for r in results)
        truth = sum(r["truth"] for r in results)
        off = sum(abs(r["counted"] - r["truth"]) for r in results)
        sets = [s for r in results for s in r["sets"]]
        kind = sum(s["kind"] for s in sets)
        tempo = sum(s["tempo"] for s in sets)
        print(f"{exercise}: {len(results)} sessions, exact {exact}/{len(results)}; reps {truth}, |counted - truth| {off}"
              f"; sets exact {sum(s['counted'] == s['truth'] for s in sets)}/{len(sets)}"
              f"; kind {kind}/{truth} ({100 * kind / truth:.1f} %); tempo {tempo}/{truth} ({100 * tempo / truth:.1f} %)")
        for execution in ("correct", "fast", "low"):
            mine = [s for s in sets if s["execution"] == execution]
            n = sum(s["truth"] for s in mine)
            print(f"  {execution:8s} sets exact {sum(s['counted'] == s['truth'] for s in mine)}/{len(mine)}"
                  f"  kind {sum(s['kind'] for s in mine)}/{n}  tempo {sum(s['tempo'] for s in mine)}/{n}")
        if args.show_misses:
            for r in results:
                if r["counted"] != r["truth"] or any(s["kind"] < s["truth"] or s["tempo"] < s["truth"] for s in r["sets"]):
                    print(f"  seed {r['seed']} ({r['fs_hz']:g} Hz, full {r['full_rom_deg']:.0f} deg"
                          f"{', continuous' if r['continuous'] else ''}; rests {r['rests']}): counted {r['counted']} of {r['truth']};"
                          + "".join(f" {s['execution']} {s['counted']}/{s['truth']} kind {s['kind']} tempo {s['tempo']};"
                                    for s in r["sets"]))


if __name__ == "__main__":
    main()
