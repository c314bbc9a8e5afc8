"""Physics simulator of the seated leg with an ankle IMU: synthetic recordings with exact ground truth.

Frames, as a picture in words
-----------------------------
The patient sits on a chair. **World**: origin between the hips, x forward (anterior, where the
knees point), y to the patient's left, z up; gravity g = 9.80665 m/s² along -z. The simulated leg's
hip joint is at y = -0.2 m (right leg) or y = +0.2 m (left leg).

From the hip the **thigh** runs forward along ``thigh_dir`` (≈ +x, pitched and yawed up to ±10°)
for 0.40–0.50 m to the knee. From the knee the **shank** hangs down along ``shank_dir`` (knee flexed
75°–105°, so the shank may slope forward or back) for 0.38–0.46 m to the ankle. The **shank frame**:
z up the shank (ankle -> knee), y along the knee's flexion axis (patient's left, both sides),
x = y × z (forward). The **sensor** is strapped 0.05–0.15 m above the ankle on the skin, 35–50 mm
off the shank axis at a random angle around it, in a uniformly random orientation:
``sensor_to_shank`` maps sensor-frame vectors into the shank frame. Nothing assumes which sensor
axis points where.

Movements
---------
Each exercise is a module of :mod:`sensorkit.sim.exercises` (``SimOptions.exercise``); its reps
turn about the **exercise axis** through the **exercise centre**, and so does the slow rest drift.
Each rep turns about its own axis, the exercise axis tilted by a few degrees (``axis_tilt_deg`` in
its truth; real reps spread so about their session's axis), unless ``axis_spread=False``.

- **Hip ER** (``hip_external_rotation``; full, partial): the whole leg turns by θ about the thigh's
  long axis (through the hip along ``thigh_dir``). The **ER axis** is +thigh_dir for the right leg and
  -thigh_dir for the left, so positive θ always moves the foot medially (right foot towards +y, left
  foot towards -y). The sensor turns by exactly θ about that axis and travels on an arc of radius
  ≈ 0.3–0.4 m.
- **knee_out** (hip ER): both feet on the floor; the shank turns about an axis parallel to the ER
  axis through a pivot 0–4 cm below the ankle, same sense (top of the shank goes lateral). The
  sensor sits 5–19 cm from the pivot, so its linear acceleration is small.
- **Knee extension** (``knee_extension``, "long-arc quad"; full, partial): the thigh stays on the
  chair and the shank turns by θ about the knee's flexion axis through the knee. The exercise axis
  is **minus** ``flexion_axis`` (i.e. pointing to the patient's right, on both sides), so positive θ
  swings the foot forward and up; θ = the knee extension gained from the seated rest (knee flexed
  75°–105° at θ = 0), never closer than 3° to straight. The sensor turns by exactly θ about that
  horizontal axis on an arc of radius ≈ 0.25–0.4 m (its distance from the knee).
- **Distractors** (truth kind ``rejected``): hip-ER sessions: fidget, leg_shake, knee_extension,
  stand_up; knee-extension sessions: fidget, leg_shake, stand_up, hip_rotation (an ER-like turn of
  the leg about the ER axis). See :mod:`sensorkit.sim.distractors`.
- **Tempo**: reps are controlled (``normal``) or rushed (``fast``, :mod:`sensorkit.sim.tempo`):
  a fast rep mostly skips its hold, as real ones do.
- **Realism**: rep shapes (:mod:`sensorkit.sim.reps`) are sums of overlapping minimum-jerk pieces,
  not one minimum-jerk curve: skewed or two-stage outward movements, an overshoot that settles,
  hold wobble (1–4 Hz), sway and sag, returns that slow down part way or swing past rest; the
  patient's habits that day (:mod:`sensorkit.sim.motor`) set rests (none at times), continuous
  swing sessions and rest-pose shifts between sets. Their ranges come from real recordings,
  measured with the pipeline-independent estimator of :mod:`sensorkit.sim.realism`
  (``benchmarks/sim_vs_real.py`` prints real against simulated figures).
- **Demo data**: the sidecar says ``"simulated": true`` and the patient id starts with ``demo-``.

The angle trace ``SimulatedSession.angle_deg`` is the exercise's angle coordinate: the sum of the
rotations about its axis (hip ER: ER and knee_out rotations; knee extension: extension, positive =
foot up; each rep's whole turn about its own, slightly tilted axis), distractor rotations
excluded. The gyro projected on ``exercise_axis_sensor`` (for hip ER equal to ``er_axis_sensor``)
integrates to its changes exactly (up to the sensor's low-pass) with ``axis_spread=False``, and
within 1 - cos(tilt) of them otherwise (under 0.6 % at the largest tilt, 6°).

Public API::

    from sensorkit.sim import simulate_session, read_truth
    s = simulate_session(9000, side="left", sample_rate_hz=104, imperfections=False)
    s.samples, s.meta, s.truth, s.reps, s.angle_deg, s.er_axis_sensor, s.write(folder, "sim_9000")
    k = simulate_session(9001, exercise="knee_extension", fast_reps=True)
    k.exercise_axis_sensor, [(m.kind, m.tempo, m.rom_deg) for m in k.reps]
"""
from sensorkit.sim.exercises import exercise_names
from sensorkit.sim.sensor import SAMPLE_RATES_HZ, SensorErrors
from sensorkit.sim.session import SimOptions, SimulatedSession, read_truth, simulate_session
from sensorkit.sim.truth import TruthMovement

__all__ = [
    "simulate_session", "SimulatedSession", "SimOptions", "TruthMovement", "SensorErrors", "read_truth",
    "SAMPLE_RATES_HZ", "exercise_names",
]
