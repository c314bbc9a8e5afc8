"""A clinic's folders for dashboard tests: sim_9010 (demo-p083's left-side hip ER session of
2026-11-09, America/New_York) under ``data/`` and the prescription files given under ``rx/``."""
import shutil
from pathlib import Path

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def sim_9010_clinic(folder: Path, prescriptions: dict[str, str]) -> Path:
    """``folder`` with ``data/sim_9010.csv`` (+ sidecar) and ``rx/NAME`` holding each text of
    ``prescriptions`` (file name -> TOML text)."""
    (folder / "data").mkdir()
    (folder / "rx").mkdir()
    for suffix in (".csv", ".json"):
        shutil.copy(RECORDINGS / f"sim_9010{suffix}", folder / "data" / f"sim_9010{suffix}")
    for name, text in prescriptions.items():
        (folder / "rx" / name).write_text(text)
    return folder
