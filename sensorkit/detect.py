"""The library surface: one rep detector per exercise, in the style of scikit-learn and gaitmap.

    >>> from sensorkit import KneeExtension
    >>> detector = KneeExtension(target_rom_deg=70).detect(frame)   # a DataFrame t, acc_*, gyr_*
    >>> KneeExtension().detect({"t": t, "acc": acc, "gyr": gyr})    # or a dict, a tuple, an (n, 7) array
    >>> detector.reps_          # one row per movement, the reps.csv columns
    >>> detector.angle_         # per sample: t (s), angle_deg above the rest before each movement,
    ...                         # angle_from_first_rest_deg from one pose (continuous), filled
    >>> detector.axis_          # the learned rotation axis in the sensor frame (unit vector)

Parameters are given at construction and checked there (a bad value is a ``ValueError`` naming
it); :meth:`RepDetector.detect` runs the causal pipeline over a whole recording and can be called
again with the same result; :meth:`RepDetector.update` feeds it live, a packet at a time. The data
are checked as the file reader checks a recording (:mod:`sensorkit.inputs`: time increasing and in
seconds, m/s² and deg/s): a mistake is a :class:`~sensorkit.errors.SampleError` (a ``ValueError``)
naming the sample, never a silently wrong count.
"""
from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sensorkit import exercises
from sensorkit.inputs import InputChecks, time_in_seconds
from sensorkit.io.meta import SIDES as SIDECAR_SIDES, sidecar_value
from sensorkit.pipeline.config import PRESCRIPTION_KEYS, PipelineConfig, prescribed
from sensorkit.pipeline.pipeline import Pipeline
from sensorkit.pipeline.rep import REP_COLUMNS, Rep
from sensorkit.samples import ACC_COLUMNS, COLUMNS, GYR_COLUMNS, T, Samples

if TYPE_CHECKING:
    import pandas as pd

#: the values of ``side``: the leg wearing the sensor (as a sidecar names it), or "" when not known
SIDES = (*SIDECAR_SIDES, "")
#: the prescription's keywords, checked as the sidecar's keys of the same names
PRESCRIPTION = PRESCRIPTION_KEYS


#: the forms of data :meth:`RepDetector.detect` and :meth:`RepDetector.update` take, for messages
ACCEPTED_FORMS = (f"a DataFrame or a dict with the columns {', '.join(COLUMNS)}; a dict with the keys t (n,), acc"
                  f" (n, 3) and gyr (n, 3); a (t, acc, gyr) tuple or list; an (n, 7) array in the order"
                  f" {', '.join(COLUMNS)}; a Recording or Samples (t in s, acc in m/s², gyr in deg/s)")
#: the keys of a dict of arrays by sensor
_BY_SENSOR = (T, "acc", "gyr")


def as_samples(data: Any) -> Samples:
    """``Samples`` from any of the forms :meth:`RepDetector.detect` takes, in the recording's units
    (``t`` in s, ``acc`` in m/s², ``gyr`` in deg/s: :mod:`sensorkit.samples`):

    - a DataFrame, or a dict (any mapping) of arrays, with the recording's columns ``t``,
      ``acc_x``, ``acc_y``, ``acc_z``, ``gyr_x``, ``gyr_y``, ``gyr_z`` (in any order; other
      columns or keys are ignored);
    - a dict with the keys ``t`` (n,), ``acc`` (n, 3) and ``gyr`` (n, 3);
    - a ``(t, acc, gyr)`` tuple or list of those three arrays;
    - an (n, 7) array with the columns in the recording's order (``t``, then acc, then gyr);
    - a :class:`~sensorkit.io.Recording` (its samples), or ``Samples`` itself.

    Anything else is a ``ValueError`` in one line listing these forms."""
    if isinstance(data, Samples):
        return data
    if isinstance(getattr(data, "samples", None), Samples):  # a Recording (read_recording's)
        return data.samples
    if isinstance(data, (str, bytes, os.PathLike)):
        raise ValueError(f"expected samples, not a path ({data!r}): read_recording(path) reads a file, and"
                         " RepDetector.for_recording(recording).detect(recording) analyses it as sensorkit analyze does")
    if hasattr(data, "columns"):
        missing = [c for c in COLUMNS if c not in data.columns]
        if missing:
            hint = " (it is the index: data.reset_index() makes it a column)" if T in missing and data.index.name == T else ""
            raise ValueError(f"the DataFrame lacks the columns {', '.join(missing)}{hint} (needs {', '.join(COLUMNS)})")
        given = data[T]
        seconds = time_in_seconds(given)  # (a timedelta in seconds; a datetime, or float32 too coarse: refused)
        t = _numbers(data, [T]) if seconds is given else seconds
        return Samples(t, _numbers(data, list(ACC_COLUMNS)), _numbers(data, list(GYR_COLUMNS)))
    if isinstance(data, Mapping):
        return _from_mapping(data)
    if isinstance(data, (tuple, list)) and len(data) == 3 and not _is_table(data):
        return _by_sensor(*data, given=f"a {type(data).__name__} of 3")
    if getattr(data, "ndim", 0) == 2 and getattr(data, "shape", (0, 0))[1] == 7:
        time_in_seconds(np.asarray(data)[:, 0])  # (float32 too coarse: refused saying so)
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"cannot take {_described(data)} as samples; accepted: {ACCEPTED_FORMS}") from None
    if array.ndim != 2 or array.shape[1] != 7:
        raise ValueError(f"cannot take an array of shape {array.shape} as samples; accepted: {ACCEPTED_FORMS}")
    return Samples.from_array(array)


def _is_table(data: tuple | list) -> bool:
    """True for three rows of seven numbers (an (n, 7) table of three samples), not (t, acc, gyr)."""
    try:
        return np.asarray(data, dtype=float).shape == (3, 7)
    except (TypeError, ValueError):
        return False


def _by_sensor(t: Any, acc: Any, gyr: Any, given: str) -> Samples:
    """``Samples(t, acc, gyr)``: its message for a shape (acc and gyr (n, 3), the lengths); for
    values that are no arrays of numbers, the accepted forms."""
    t = time_in_seconds(t)
    try:
        return Samples(t, acc, gyr)
    except (TypeError, ValueError) as exc:
        if str(exc).startswith("Samples:"):
            raise
        raise ValueError(f"cannot take {given} that are not arrays of numbers ({exc}) as samples;"
                         f" accepted: {ACCEPTED_FORMS}") from None


def _from_mapping(data: Mapping) -> Samples:
    """A dict of the recording's columns (as a DataFrame) or of ``t``, ``acc`` and ``gyr``."""
    by_column, by_sensor = all(c in data for c in COLUMNS), all(k in data for k in _BY_SENSOR)
    if by_column and by_sensor:
        raise ValueError(f"the dict has both the keys {', '.join(_BY_SENSOR)} and the columns {', '.join(COLUMNS)}:"
                         " give one or the other")
    if by_sensor:
        return _by_sensor(data[T], data["acc"], data["gyr"], given="a dict t, acc, gyr")
    if not by_column:
        close = _BY_SENSOR if any(k in data for k in ("acc", "gyr")) else COLUMNS
        missing = [k for k in close if k not in data]
        raise ValueError(f"the dict lacks the keys {', '.join(missing)}; accepted: {ACCEPTED_FORMS}")
    import pandas as pd

    columns = {c: np.asarray(data[c]) for c in COLUMNS}
    for name, values in columns.items():
        if values.ndim > 1:
            raise ValueError(f"the dict's column {name} must be 1-D (one value per sample), got shape {values.shape}")
    lengths = {name: values.size for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError("the dict's columns differ in length: " + ", ".join(f"{k} {n}" for k, n in lengths.items()))
    return as_samples(pd.DataFrame({name: values.reshape(-1) for name, values in columns.items()}))


def _described(data: Any) -> str:
    """``data`` in a few words, for a message: its type, and its length when it has one."""
    try:
        return f"a {type(data).__name__} of length {len(data)}"
    except TypeError:
        return f"a {type(data).__name__}"


#: the dtype of each ``reps_`` column that is not text: pandas' nullable ones (``rep`` an integer,
#: the rest floats), whose empty cell is ``pd.NA``
_NUMBER_COLUMNS = {"rep": "Int64", "set": "Int64", **{c: "Float64" for c in REP_COLUMNS if c.endswith(("_s", "_deg", "_dps", "_m"))}}
#: the text columns (object dtype: ``kind`` and ``tempo`` hold the Kind and Tempo members)
_TEXT_COLUMNS = [c for c in REP_COLUMNS if c not in _NUMBER_COLUMNS]


def reps_frame(reps: list[Rep], recording: str = "", side: str = "", path: str = "") -> pd.DataFrame:
    """Movements (as :meth:`RepDetector.update` and :class:`~sensorkit.pipeline.Pipeline` give them)
    as a table with the ``reps.csv`` columns and ``reps_``'s dtypes, so that the reps a live stream
    gave and those :meth:`RepDetector.detect` found compare equal (``DataFrame.equals``), also when
    there are none: ``rep`` a nullable integer (``Int64``), times (s), angles (deg), speeds (deg/s)
    and the radius (m) nullable floats (``Float64``), the rest text (``object``).

    An empty cell is ``pd.NA`` whatever its column, where ``reps.csv`` has an empty cell: ``rep``
    and ``tempo`` of a rejected movement, ``radius_m`` where no radius was measured,
    ``rest_angle_deg`` read from no rest, ``reason`` of a counted rep, ``side``, ``recording`` and
    ``path`` (the recording's file) when not given. ``reps_.isna()`` finds them all (``== ""`` and ``np.isnan`` do not);
    ``reps_.rom_deg.to_numpy(float, na_value=np.nan)`` is a plain NumPy array."""
    import pandas as pd

    rows = [{c: pd.NA if _empty(v) else v for c, v in r.row(recording, side, path).items()} for r in reps]
    frame = pd.DataFrame(rows, columns=list(REP_COLUMNS))
    return frame.astype({c: object for c in _TEXT_COLUMNS} | _NUMBER_COLUMNS)


def _empty(value: Any) -> bool:
    """True for a value ``reps.csv`` writes as an empty cell: ``""``, None or NaN."""
    return value is None or (isinstance(value, str) and value == "") or (isinstance(value, float) and math.isnan(value))


def _numbers(frame: Any, columns: list[str]) -> np.ndarray:
    """``frame[columns]`` as floats (one column: 1-D); a missing value (NaN, None, ``pd.NA``, a blank
    string: an empty cell) is NaN, left out as a lost sample by the checks after; any other cell that
    is no number is a ValueError naming its column and row."""
    try:
        values = frame[columns].to_numpy(float, na_value=np.nan)
    except (TypeError, ValueError):
        import pandas as pd

        for column in columns:
            cells = frame[column]
            blank = cells.map(lambda cell: isinstance(cell, str) and not cell.strip()).to_numpy(bool)
            bad = pd.to_numeric(cells, errors="coerce").isna().to_numpy() & cells.notna().to_numpy() & ~blank
            if bad.any():
                row = bad.argmax()
                raise ValueError(f"column {column}, row {row} (index {frame.index[row]!r}): "
                                 f"{cells.iloc[row]!r} is not a number") from None
        values = np.column_stack([pd.to_numeric(frame[column], errors="coerce").to_numpy(float, na_value=np.nan)
                                  for column in columns])
    return values[:, 0] if len(columns) == 1 else values


class RepDetector:
    """Reps of one exercise in an ankle-IMU recording (see the module doc).

    Parameters
    ----------
    target_rom_deg, target_hold_s, target_movement_s
        The prescription, when known: ROM (deg, over 0, up to the exercise's ``max_rom_deg``: 60 for
        hip external rotation, 150 for knee extension, beyond which a movement is rejected, so that no
        rep could reach it), hold (s, 0 to 600) and the outward plus return movement time (s, over 0,
        up to 600) of one rep (:meth:`for_recording` takes them
        from a recording's sidecar, as ``sensorkit analyze`` does). Each is optional. The target ROM stands in for the
        patient's typical full ROM until reps show it (a rep under ``partial_fraction`` of that is
        ``partial``); the movement time, plus the hold, is the tempo's reference (a rep under
        ``fast_fraction`` of it is ``fast``).
    side
        ``"left"`` or ``"right"``, or ``""`` when not known (copied to ``reps_``).
    **params
        Any :class:`~sensorkit.pipeline.PipelineConfig` parameter (``lowpass_hz=2.5``, ...); another
        name is a ``ValueError`` naming it and the closest known one (``KneeExtension: unknown
        parameter 'lowpas_hz' (did you mean 'lowpass_hz'?)``).

    Attributes (after :meth:`detect`)
    ---------------------------------
    reps_ : pandas.DataFrame
        One row per movement, the ``reps.csv`` columns (``recording``: the name :meth:`detect`
        was given, a ``Recording``'s own, or that of the recording :meth:`for_recording` made the
        detector for; ``<NA>`` when none; ``path``: that ``Recording``'s file, ``<NA>`` for other
        data); ``kind`` and ``tempo`` hold
        :class:`~sensorkit.Kind` and :class:`~sensorkit.Tempo` members (strings too). The
        numbers are pandas' nullable dtypes (``rep`` ``Int64``, the rest ``Float64``), the text
        ``object``; an empty cell is ``pd.NA`` in every column, where ``reps.csv`` is empty
        (``rep`` and ``tempo`` of a rejected movement, ``reason`` of a counted rep, ``radius_m``
        not measured, ...): ``reps_.isna()`` finds them (see :func:`reps_frame`). A rep in a series without rests between reps
        (the leg swinging on through the resting pose) reports as ``rom_deg`` its range from the
        swing's bottom before it, so it can exceed the peak of ``angle_`` in the rep.
    angle_ : pandas.DataFrame
        Per sample analysed: ``t`` (s); ``angle_deg`` (deg), the exercise angle about ``axis_``
        above the rest *before each movement*, as each rep's ROM is measured: it is re-zeroed at
        every new rest, so it steps (by the rest's shift, 10 deg or more on a real leg) where a
        movement begins from a rest pose other than the last one; ``angle_from_first_rest_deg``
        (deg), the same angle from one pose for the whole recording, the rest before its first
        movement (where ``reps_.rest_angle_deg`` is 0): continuous, to lay over a goniometer's
        trace (offset by the joint angle of that rest; NaN before any rep taught the axis, see
        :meth:`~sensorkit.pipeline.pipeline.Pipeline.angle_from_first_rest_deg` for its limits:
        a turn about the vertical is not seen, nor a sensor turned on the leg mid-recording);
        ``filled``: True for a sample the pipeline made up to bridge a short gap in the data (up
        to ``max_gap_fill_s``). ``angle_[~angle_.filled]`` has a row per input sample (an exact
        repeat of a timestamp dropped), once there are two samples or more (one sample alone is
        not analysed).
    axis_ : numpy.ndarray
        The learned exercise axis (unit vector, sensor frame; NaN when no rep was seen).
    radius_m_ : float
        The sensor's distance from the exercise's rotation axis (m): the median over the full and
        partial reps (a ``knee_out`` rep turns about another pivot); NaN before any.
    sample_rate_hz_ : float
        The sample rate the analysis ran at: the median sample interval over the recording's
        first ``rate_estimate_s`` seconds (NaN for fewer than two samples).
    """

    exercise: str = ""

    def __init__(self, *, target_rom_deg: float | None = None, target_hold_s: float | None = None,
                 target_movement_s: float | None = None, side: str = "", **params: float) -> None:
        if not self.exercise:
            raise TypeError("RepDetector is the base class: use KneeExtension or HipExternalRotation")
        given = {"target_rom_deg": target_rom_deg, "target_hold_s": target_hold_s, "target_movement_s": target_movement_s}
        for name, value in given.items():
            try:
                given[name], problem = None if value is None else sidecar_value(name, value), ""
            except ValueError as exc:
                problem = str(exc)
            if name == "target_rom_deg" and (problem or given[name] == 0):  # (a sidecar's 0, no target, is None here)
                problem = f"expected a number > 0 and <= 180 (None: no target), got {value!r}"
            if problem:
                raise ValueError(f"{name}: {problem}")
        self.target_rom_deg, self.target_hold_s, self.target_movement_s = given.values()
        if not isinstance(side, str) or side not in SIDES:
            raise ValueError(f"side must be 'left', 'right' or '' (not known), got {side!r}")
        self.side = side
        unknown = [name for name in params if name not in PipelineConfig.names()]
        if unknown:
            raise ValueError(f"{type(self).__name__}: {_unknown_parameters(unknown)}")
        self._params = dict(params)
        self.recording = ""  # (the recording it was made for: for_recording)
        self.recording_path = ""  # (and its file, as it was read)
        self.config = PipelineConfig(**params).resolved(exercises.get(self.exercise))
        beyond = exercises.target_rom_problem(self.exercise, self.target_rom_deg, self.config.max_rom_deg)
        if beyond:
            raise ValueError(f"target_rom_deg: {beyond}")
        self._live: Pipeline | None = None
        self._live_checks: InputChecks | None = None

    @classmethod
    def for_recording(cls, recording: Any, **params: float) -> "RepDetector":
        """The detector ``sensorkit analyze`` runs on ``recording`` (a :class:`~sensorkit.io.Recording`
        or its ``meta``): its sidecar's exercise, prescription (``target_*``) and side, and
        ``params`` as at construction (a prescription keyword or ``side`` given there wins). Called on :class:`RepDetector`, the exercise picks the class;
        called on one, the sidecar must name its exercise or none (a ``ValueError`` if another). A
        recording whose sidecar names none (or that has none) is the exercise of the class it is
        called on; called on :class:`RepDetector`, the default exercise, with a ``UserWarning``
        saying so (as ``sensorkit analyze`` warns). Made for a :class:`~sensorkit.io.Recording`, the
        detector names its ``reps_`` rows after it (its ``recording``, as ``reps.csv`` does), whatever
        form the data then come in; made for a ``meta``, after nothing (``<NA>``) unless
        :meth:`detect` is given a name."""
        meta = getattr(recording, "meta", recording)
        exercise = meta.exercise
        # (assumed: named by nothing, and still the default; an exercise set on the meta since is said)
        if getattr(meta, "exercise_assumed", False) and exercise == exercises.DEFAULT_EXERCISE:
            if cls is not RepDetector:
                exercise = cls.exercise  # (the caller says which: nothing in the recording says otherwise)
            else:
                import warnings

                from sensorkit.io.meta import exercise_warning

                path = getattr(recording, "path", None)
                said = exercise_warning(path if path is not None else "the recording", meta)
                warnings.warn(f"{said} (in Python: KneeExtension.for_recording or HipExternalRotation.for_recording)",
                              UserWarning, stacklevel=2)
        chosen = {c.exercise: c for c in RepDetector.__subclasses__()}.get(exercise)
        if chosen is None or (cls is not RepDetector and chosen is not cls):
            raise ValueError(f"the recording's exercise is {meta.exercise!r}, not {cls.exercise!r}")
        given = {key: getattr(meta, key) for key in PRESCRIPTION}
        prescription = {key: prescribed(given, key) for key in PRESCRIPTION}  # (a sidecar's target ROM 0: none)
        try:
            detector = chosen(**{**prescription, "side": meta.side or "", **params})
        except ValueError as exc:
            if not str(exc).startswith("target_rom_deg:") or "target_rom_deg" in params:
                raise
            path = getattr(recording, "path", None)
            raise ValueError(f"{path if path is not None else 'the recording'}: its sidecar's {exc}; correct the sidecar,"
                             " or give target_rom_deg=None to analyse it without the target (sensorkit analyze warns"
                             " and analyses it with the target)") from None
        if meta is not recording:  # (a Recording: its name, as reps.csv's recording column has it)
            detector.recording = str(getattr(recording, "name", "") or "")
            detector.recording_path = str(getattr(recording, "path", "") or "")
        return detector

    def __repr__(self) -> str:
        given = {k: v for k, v in {**self._prescription(), "side": self.side, **self._params}.items()
                 if v is not None and v != ""}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in given.items())})"

    def _prescription(self) -> dict[str, float | None]:
        return {key: getattr(self, key) for key in PRESCRIPTION}

    @property
    def meta(self) -> dict:
        """The sidecar keys the pipeline is given: ``exercise`` and the prescription's
        ``target_rom_deg`` (deg), ``target_hold_s`` (s), ``target_movement_s`` (s) where set."""
        meta: dict[str, Any] = {"exercise": self.exercise}
        meta.update({key: value for key, value in self._prescription().items() if value is not None})
        return meta

    def detect(self, data: Any, recording: str = "") -> "RepDetector":
        """Analyse a whole recording; returns ``self``.

        ``data``, in the recording's units (``t`` in s, ``acc`` in m/s², ``gyr`` in deg/s), is a
        DataFrame or a dict with the recording's columns (``t``, ``acc_x`` ... ``gyr_z``), a dict
        ``{"t": t, "acc": acc, "gyr": gyr}`` ((n,), (n, 3), (n, 3)), a ``(t, acc, gyr)`` tuple or
        list, an (n, 7) array in the recording's column order, a ``Recording`` or ``Samples``
        (:func:`as_samples`); anything else is a ``ValueError`` listing these forms.

        The data are checked first (:mod:`sensorkit.inputs`); ``recording`` names them in messages
        and in ``reps_`` (not given: a ``Recording``'s own name, else that of the recording the
        detector was made for by :meth:`for_recording`, else none: ``<NA>``). Raises
        :class:`~sensorkit.errors.SampleError` (a ``ValueError``) for data that fail the checks,
        naming the sample, and :class:`~sensorkit.errors.ConfigError` (a ``ValueError``) for a
        parameter the data's sample rate cannot carry (``lowpass_hz`` above 0.45 times it)."""
        import pandas as pd

        path = getattr(self, "recording_path", "")  # (the file of the one it was made for: for_recording)
        if isinstance(getattr(data, "samples", None), Samples):  # (a Recording names itself, and its file)
            path = str(getattr(data, "path", "") or "")
            recording = recording or str(getattr(data, "name", ""))
        recording = recording or getattr(self, "recording", "")  # (the one it was made for: for_recording)
        samples = InputChecks(recording or "data").whole(as_samples(data))
        pipeline = Pipeline(self.config, meta=self.meta, keep_angle=True)
        self.reps_ = reps_frame(pipeline.run(samples), recording, self.side, path)
        t, stepped, continuous, filled = pipeline.angle_columns().T
        self.angle_ = pd.DataFrame({"t": t, "angle_deg": stepped, "angle_from_first_rest_deg": continuous,
                                    "filled": filled > 0})
        axis = pipeline.classifier.axes.axis
        self.axis_ = np.array(axis, dtype=float) if axis is not None else np.full(3, np.nan)
        self.radius_m_ = pipeline.radius_m_
        self.sample_rate_hz_ = pipeline.fs_hz_ if pipeline.fs_hz_ is not None else math.nan
        return self

    def update(self, packet: Any) -> list[Rep]:
        """Live: feed a packet of samples (any form :meth:`detect` takes: a DataFrame, a dict, a
        ``(t, acc, gyr)`` tuple, an (n, 7) array, ...); returns the movements that ended in it
        (:func:`reps_frame` makes them a table like ``reps_``). Each packet is checked as it comes (time after the last
        packet's: :mod:`sensorkit.inputs`); a packet refused (a ``SampleError`` naming it) changes
        nothing, so the stream goes on with the next one, or with the packet sent again corrected.
        The first packets are buffered until ``rate_estimate_s`` of data have come (the rate is
        measured there), so the first reps come back a packet or more later.

        A detector pickles between packets (``pickle.dumps(detector)``), mid-rep too: the copy,
        fed the rest of the stream, gives the same reps as the original would (to checkpoint a long
        live run, or to send it to another process or a Dask worker)."""
        if self._live is None:
            self._live, self._live_checks = Pipeline(self.config, meta=self.meta), InputChecks("live data")
        return self._live.update(self._live_checks.packet(as_samples(packet)))

    def finish(self) -> list[Rep]:
        """Live: the end of the stream (closes an open movement); the next ``update`` starts afresh."""
        live, checks, self._live, self._live_checks = self._live, self._live_checks, None, None
        if live is None:
            return []
        return live.update(checks.flush()) + live.finish()  # (first any samples held for a time after theirs)

    def get_params(self) -> dict[str, Any]:
        """The parameters in force, as keywords of the constructor: the prescription, ``side`` and
        every :class:`~sensorkit.pipeline.PipelineConfig` parameter (the exercise's defaults
        filled in), so that ``type(d)(**d.get_params())`` is the same detector."""
        return {**self._prescription(), "side": self.side, **{f: getattr(self.config, f) for f in PipelineConfig.names()}}

    def set_params(self, **params: Any) -> "RepDetector":
        """A parameter or more changed (checked as at construction); returns ``self``. The results
        of an earlier :meth:`detect` are kept until the next; a live stream starts afresh. The
        recording it was made for (:meth:`for_recording`: its name and file) stays."""
        keywords = {**self._prescription(), "side": self.side, **self._params, **params}
        fresh = type(self)(**keywords)  # (all checked before anything here changes)
        vars(self).update({key: value for key, value in vars(fresh).items() if key not in _MADE_FOR})
        return self


#: the attributes naming the recording a detector was made for (:meth:`RepDetector.for_recording`),
#: which :meth:`RepDetector.set_params` keeps
_MADE_FOR = ("recording", "recording_path")


def _unknown_parameters(names: list[str]) -> str:
    """``unknown parameter 'foo'`` (several: ``parameters``), each with the closest known name
    (a keyword of the constructor) when one is close: ``(did you mean 'lowpass_hz'?)``."""
    known = [*PRESCRIPTION, "side", *PipelineConfig.names()]
    said = []
    for name in names:
        close = difflib.get_close_matches(name, known, n=1)
        said.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return f"unknown parameter{'s' if len(names) > 1 else ''} {', '.join(said)}"


class HipExternalRotation(RepDetector):
    """Seated hip external rotation (see :mod:`sensorkit.exercises.hip_external_rotation`)."""

    exercise = "hip_external_rotation"


class KneeExtension(RepDetector):
    """Seated knee extension (see :mod:`sensorkit.exercises.knee_extension`)."""

    exercise = "knee_extension"
