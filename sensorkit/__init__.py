"""sensorkit: an ankle-worn IMU as a physical-therapy assistant (seated hip external rotation and
seated knee extension): reps counted and classified, ROM, hold and tempo.

    from sensorkit import KneeExtension
    detector = KneeExtension().detect(frame)      # a DataFrame with t, acc_*, gyr_*
    detector.reps_                                # one row per movement
"""
from sensorkit.errors import ConfigError, RecordingError, SensorkitError

__all__ = ["Samples", "SensorkitError", "RecordingError", "ConfigError", "RepDetector", "KneeExtension",
           "HipExternalRotation", "reps_frame", "Kind", "Tempo", "Pipeline", "PipelineConfig", "read_recording"]
__version__ = "0.2.0.dev0"  # the release after 0.1.0 (CHANGELOG.md: Unreleased); pyproject.toml reads it

_LAZY = {
    "Samples": "sensorkit.samples", "RepDetector": "sensorkit.detect", "KneeExtension": "sensorkit.detect",
    "HipExternalRotation": "sensorkit.detect", "reps_frame": "sensorkit.detect", "Kind": "sensorkit.pipeline.rep",
    "Tempo": "sensorkit.pipeline.rep", "Pipeline": "sensorkit.pipeline.pipeline",
    "PipelineConfig": "sensorkit.pipeline.config", "read_recording": "sensorkit.io",
}


#: submodules that were attributes of the package once it was imported (``sensorkit.samples``, when
#: ``Samples`` was imported here): loaded on first use now, as the names above
_LAZY_MODULES = {"samples"}


def __getattr__(name: str):  # numpy and the analysis stack (scipy, vqf, pandas) load on first use: not for --help
    if name in _LAZY or name in _LAZY_MODULES:
        import importlib

        if name in _LAZY_MODULES:
            return importlib.import_module(f"sensorkit.{name}")
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sensorkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
