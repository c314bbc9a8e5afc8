"""sensorkit: an ankle-worn IMU as a physical-therapy assistant for seated hip external rotation."""
from sensorkit.errors import ConfigError, RecordingError, SensorkitError
from sensorkit.samples import Samples

__all__ = ["Samples", "SensorkitError", "RecordingError", "ConfigError"]
__version__ = "0.1.0"
