"""Where results go: never over an input or each other, all or none, nothing left behind.

    check_outputs({"--out": out_csv, "--summary": summary_csv}, inputs=files)   # OutputError if unsafe
    with OutputSet([out / "reps.csv", out / "sessions.csv"]) as outputs:
        outputs.handle(out / "reps.csv").write(...)     # written beside each target (hidden .tmp)
        ...
    # on success every target is replaced together; on any error (or Ctrl-C) none is and the
    # temporary files are removed, so the previous results stay intact.

Earlier outputs (``reps.csv``, ``sessions.csv``, ``NAME.angle.csv``, ``report.csv``, ``summary.csv``) are recognised by
their header line (:func:`output_kind`): a folder search skips them, and a run may replace them.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import signal
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TextIO

from sensorkit.errors import NAME_ERRORS, SensorkitError, escape_controls
from sensorkit.io.files import OPEN_TEMPS, resolved, sidecar_path

#: first columns of the tables sensorkit writes -> what they are
_OUTPUT_HEADERS = {
    "recording,rep,side,kind,": "reps.csv of sensorkit analyze",
    "recording,path,status,error,": "sessions.csv of sensorkit analyze",
    "patient,date,exercise,side,": "daily report of sensorkit report",
    "patient,period,": "summary of sensorkit report",
    "t,angle_deg,angle_from_first_rest_deg,": "angle.csv of sensorkit analyze",  # (io.angle_csv.ANGLE_KIND)
    "patient,week,": "weekly table of sensorkit report",
}
LOG_HEADER = "# sensorkit report log\n"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class OutputError(SensorkitError):
    """An output path is unsafe or cannot be written (one line naming it)."""


def output_kind(path: str | os.PathLike) -> str | None:
    """What earlier sensorkit output ``path`` is, from its first line (None: not one, or unreadable)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    first = head.split(b"\n", 1)[0]
    if head.startswith(_PNG_MAGIC):
        return "PNG image"
    if first.startswith(LOG_HEADER.strip().encode()):
        return "log of sensorkit report"
    text = first.decode("utf-8", "replace").lstrip("\ufeff").strip().lower()
    return next((kind for prefix, kind in _OUTPUT_HEADERS.items() if text.startswith(prefix)), None)


def _looks_like_recording(path: Path) -> bool:
    """A canonical recording's header (t and the six channels), from the first line only."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(4096).decode("utf-8", "replace").lower()
    except OSError:
        return False
    names = {name.strip() for name in first.strip().split(",")}
    return {"t", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"} <= names


def protected_paths(inputs: Iterable[str | os.PathLike]) -> set[Path]:
    """The input files and everything belonging to them (sidecar, vendor partner), resolved."""
    from sensorkit.io.vendor import pairs

    protected: set[Path] = set()
    for path in map(Path, inputs):
        protected.add(resolved(path))
        protected.add(resolved(sidecar_path(path)))
        try:
            partner = pairs.partner(path) if path.is_file() else None
        except Exception:  # noqa: BLE001 - a partner lookup failing protects nothing less
            partner = None
        if partner is not None:
            protected.add(resolved(partner))
    return protected


def check_outputs(outputs: Mapping[str, str | os.PathLike] | Iterable[tuple[str, str | os.PathLike]], inputs: Iterable[str | os.PathLike] = (),
                  replaceable: Iterable[str] | Mapping[str, Iterable[str]] = ()) -> None:
    """Refuse (:class:`OutputError`, one line) output files that would destroy data.

    ``outputs``: option name -> file it writes (a mapping, or pairs). An output may not be an input, an input's sidecar
    or vendor partner, another output, an existing folder, or an existing file that is not an
    earlier sensorkit output of a replaceable kind (a recording, any other file). ``replaceable``:
    the :func:`output_kind` values this command may replace (default: any sensorkit output), or a
    mapping from option name to the kinds that option may replace.
    """
    protected = protected_paths(inputs)
    per_option = replaceable if isinstance(replaceable, Mapping) else None
    every = set() if per_option is not None else set(replaceable)
    seen: dict[Path, str] = {}
    for option, raw in (outputs.items() if isinstance(outputs, Mapping) else outputs):
        path = Path(raw)
        target = resolved(path)
        if target in seen:
            raise OutputError(f"{option} {path}: the same file as {seen[target]}; give each output its own file")
        seen[target] = f"{option} {path}"
        if target in protected:
            raise OutputError(f"{option} {path}: is an input recording (or its sidecar); it is never overwritten")
        if path.is_dir():
            raise OutputError(f"{option} {path}: is a folder; expected a file")
        if path.exists() or path.is_symlink():
            allowed = set(per_option.get(option, ())) if per_option is not None else every
            kind = output_kind(path)
            if _looks_like_recording(path):
                raise OutputError(f"{option} {path}: is a recording; it is never overwritten")
            if per_option is not None and not allowed:
                raise OutputError(f"{option} {path}: exists; not overwritten (remove it or choose another name)")
            if kind is None or (allowed and kind not in allowed):
                raise OutputError(f"{option} {path}: exists and is not an earlier {_kinds(allowed)}; not overwritten"
                                  " (remove it or choose another name)")


def _kinds(allowed: set[str]) -> str:
    return " or ".join(sorted(allowed)) if allowed else "sensorkit output"


def check_output_folder(folder: str | os.PathLike, option: str = "--out") -> Path:
    """Create ``folder`` if needed and check it can be written; :class:`OutputError` naming why not."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{option} {folder}: is a file, not a folder") from None
    except OSError as exc:
        raise OutputError(f"{option} {folder}: cannot create the folder: {reason(exc)}") from None
    if not folder.is_dir():
        raise OutputError(f"{option} {folder}: is not a folder")
    probe = folder / f".sensorkit-probe.{os.getpid()}.tmp"
    try:
        with open(probe, "w"):
            pass
    except OSError as exc:
        raise OutputError(f"{option} {folder}: cannot write in this folder: {reason(exc)}") from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    return folder


@contextlib.contextmanager
def folder_made_for(folder: str | os.PathLike) -> Iterator[None]:
    """Around a run that may create ``folder`` (:func:`check_output_folder`): at its end, however
    it ends, the folders of ``folder``'s path that did not exist before it and are still empty are
    removed again (deepest first), so a run that wrote nothing (no recordings found, an error,
    Ctrl-C) leaves no empty output folder behind. A folder that was there before, or holds
    anything, is never removed."""
    folder = Path(folder)
    made = [path for path in (folder, *folder.parents)  # (deepest first; "a/.." is no folder of its own)
            if path.name not in ("", ".", "..") and not os.path.lexists(path)]
    try:
        yield
    finally:
        for path in made:
            try:
                path.rmdir()  # (only an empty folder)
            except OSError:
                break  # (not empty, or not ours: nor are the folders above it empty)


def no_negative_zero(frame, float_format: str = "%.3f"):
    """``frame`` (a pandas DataFrame, changed in place and returned) with each float that pandas'
    ``to_csv(float_format=...)`` would write as a negative zero (``-0.000``: a value from -0.0005
    to -0.0) made 0.0, so that the table says 0.000; in a column of floats mixed with text
    (written as ``str`` writes them), a -0.0."""
    for index, column in enumerate(frame.columns):
        kind = frame[column].dtype.kind
        if kind not in "fO":
            continue
        write = (lambda value: float_format % value) if kind == "f" else str
        rows = [row for row, value in enumerate(frame[column].tolist())
                if isinstance(value, float) and (text := write(value)).startswith("-") and float(text) == 0]
        if rows:
            frame.iloc[rows, index] = 0.0
    return frame


def reason(exc: BaseException) -> str:
    """A short reason for a failed write (disk full, read-only, ...)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return {errno.ENOSPC: "no space left on the device", errno.EROFS: "read-only file system",
                errno.EACCES: "permission denied", errno.EPERM: "permission denied",
                errno.ENOTDIR: "a part of the path is a file, not a folder",
                errno.EISDIR: "is a folder", errno.EFBIG: "file too large (a size limit was reached)",
                errno.EDQUOT: "disk quota exceeded"}.get(exc.errno, exc.strerror or str(exc))
    return str(exc) or type(exc).__name__


#: how many OutputSets are renaming their files onto their targets (or putting the old ones back) now
_COMMITTING = [0]


def committing() -> bool:
    """Whether an OutputSet is putting its files in place (or back) now: a moment to let finish."""
    return _COMMITTING[0] > 0


def discard_open_outputs() -> None:
    """Remove the temporary files being written (of every OutputSet still open, of an atomic
    write): a process about to end at once (a second Ctrl-C); their targets are left as they were."""
    for temp in list(OPEN_TEMPS):
        try:
            temp.unlink()
        except OSError:
            pass
    OPEN_TEMPS.clear()


#: the exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells use
EXIT_INTERRUPTED = 130
#: the exit status of a run stopped by SIGTERM (128 + SIGTERM: ``timeout``, systemd, cron, ``kill``)
EXIT_TERMINATED = 143


def terminated_note(note: str) -> str:
    """``note`` (said for Ctrl-C: ``interrupted; ...``) as said for SIGTERM: ``terminated (SIGTERM); ...``."""
    return "terminated (SIGTERM)" + note[len("interrupted"):] if note.startswith("interrupted") else note


_note_said = threading.Event()  # (said once per process)


def say_interrupted(note: str, raw: bool = False) -> None:
    """``note`` on stderr, once per process (the first Ctrl-C's, or the second's if it came first).
    ``raw``: written to the file descriptor itself (in a signal handler, which may have interrupted
    a write to ``sys.stderr``)."""
    if _note_said.is_set():
        return
    _note_said.set()
    line = escape_controls(note) + "\n"
    if raw:
        os.write(2, line.encode("utf-8", "replace"))
    else:
        sys.stderr.write(line)
        sys.stderr.flush()


def forget_interrupted() -> None:
    """A new run: its interruption's note not said yet (a process may run several, as tests do)."""
    _note_said.clear()


def said_interrupted() -> bool:
    """Whether :func:`say_interrupted` has said its note in this process."""
    return _note_said.is_set()


def stop_at_once(note: str = "interrupted", status: int = EXIT_INTERRUPTED) -> None:
    """End the process now, with exit ``status`` and no traceback (a second Ctrl-C or SIGTERM): the
    temporary files of the outputs being written are removed (their targets are left as they were), the
    local pool's workers killed, ``note`` said unless it was. Should outputs be being renamed into
    place (or back) this moment, it returns instead: that takes milliseconds, and the first signal
    then ends the run."""
    import multiprocessing

    if committing():
        return
    discard_open_outputs()
    for child in multiprocessing.active_children():
        try:
            child.kill()
        except (OSError, AttributeError, ValueError):
            pass
    try:
        say_interrupted(note, raw=True)
    finally:
        os._exit(status)


_interrupted = threading.Event()
_by_signal = [signal.SIGINT]  # (the signal that interrupted the run: SIGINT or SIGTERM)


def terminated() -> bool:
    """Whether the run's interruption (:class:`interrupts_noted`) was a SIGTERM, not a Ctrl-C."""
    return _by_signal[0] == signal.SIGTERM


def raise_if_interrupted() -> None:
    """A Ctrl-C that arrived while a library was reading (pandas' parser turns it into a parse
    error) is an interrupt, not a bad file."""
    if _interrupted.is_set():
        raise KeyboardInterrupt


#: the signals that interrupt a run as Ctrl-C does (SIGTERM: what ``timeout``, systemd and cron send)
INTERRUPTING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class interrupts_noted:
    """``with interrupts_noted(note):`` Ctrl-C (SIGINT) and SIGTERM raise KeyboardInterrupt, and are
    also remembered (which one: :func:`terminated`), so a file being read when it came is not reported
    as broken (see :func:`sensorkit.batch.run_file_task`). A second one, while the first is being
    handled (a pool's workers stopped, temporary files removed), ends the process at once: see
    :func:`stop_at_once`. Only in the main thread; elsewhere it does nothing."""

    def __init__(self, note: str = "interrupted") -> None:
        self.note = note

    def __enter__(self) -> "interrupts_noted":
        _interrupted.clear()
        _by_signal[0] = signal.SIGINT
        forget_interrupted()
        self._previous = {}
        if threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._on_signal) for signum in INTERRUPTING_SIGNALS}
        return self

    def _on_signal(self, signum, frame) -> None:
        if _interrupted.is_set():  # (the second: the first is being handled)
            if terminated():
                stop_at_once(terminated_note(self.note), EXIT_TERMINATED)
            else:
                stop_at_once(self.note)
            return  # (outputs being renamed into place: the first ends the run in a moment)
        _by_signal[0] = signum
        _interrupted.set()
        raise KeyboardInterrupt

    def __exit__(self, *exc_info) -> None:
        for signum, previous in self._previous.items():
            if previous is not None:  # (None: not set from Python; left as it is)
                signal.signal(signum, previous)
        _interrupted.clear()


#: the name of a temporary file (``.tmp``) or a backup taken while renaming (``.bak``) beside a
#: target, after the target's ``.NAME.``: the writing process's id and the kind
_TEMP_TAIL = re.compile(r"([1-9][0-9]{0,9})\.(tmp|bak)")


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (one of another user counts; unsure: yes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # (PermissionError: another user's)
        return True
    return True


def _lock(handle) -> None:
    """Hold a lock on a temporary file being written, so that no run takes it for stale, also where its
    process id means nothing (another machine on a shared folder, another container). Best effort."""
    try:
        import fcntl
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass


def _locked(path: Path) -> bool:
    """Whether a process holds ``path`` locked (:func:`_lock`); a file system without locks: no."""
    try:
        import fcntl
        with open(path, "rb") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except (ImportError, OSError):
        return False
    return False


def remove_stale_temps(targets: Iterable[str | os.PathLike]) -> list[Path]:
    """Remove what an earlier run killed outright (``kill -9``, a crash, a power cut) left beside
    ``targets``: its temporary files ``.NAME.PID.tmp`` and backups ``.NAME.PID.bak`` (NAME a target's
    name), where no process PID runs on this machine and no process holds the file locked. Nothing
    else is touched: not another name, not a link or folder so named. Returns the files removed.
    Only where process ids can be checked without harm (POSIX)."""
    if os.name != "posix":
        return []
    names: dict[Path, set[str]] = {}
    for target in map(Path, targets):
        names.setdefault(target.parent, set()).add(target.name)
    removed = []
    for folder, wanted in names.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name, _, tail = entry.name[1:].rpartition(".")  # (".reps.csv.123.tmp": "reps.csv.123", "tmp")
            stem, _, pid = name.rpartition(".")
            if (not entry.name.startswith(".") or stem not in wanted or not _TEMP_TAIL.fullmatch(f"{pid}.{tail}")
                    or int(pid) == os.getpid() or _running(int(pid))):
                continue
            path = Path(entry.path)
            try:
                if not entry.is_file(follow_symlinks=False) or _locked(path):
                    continue
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


class OutputSet:
    """Files written beside their targets and renamed onto them together when the ``with`` ends well.

    Any error (also KeyboardInterrupt, even while the files are being renamed) removes every
    temporary file and leaves the targets as they were. A failed write raises :class:`OutputError`
    (one line naming the file and the reason). Made, it first removes the temporary files an
    earlier run killed outright left beside its targets (:func:`remove_stale_temps`).
    """

    def __init__(self, targets: Iterable[str | os.PathLike]) -> None:
        self.targets = [Path(t) for t in targets]
        remove_stale_temps(self.targets)
        self._temps = {t: t.with_name(f".{t.name}.{os.getpid()}.tmp") for t in self.targets}
        self._handles: dict[Path, TextIO] = {}
        self._times_ns: dict[Path, tuple[int, int]] = {}
        OPEN_TEMPS.update(self._temps.values())

    def handle(self, target: str | os.PathLike) -> TextIO:
        """The open text handle writing ``target``'s new content (opened on first use)."""
        target = Path(target)
        if target not in self._handles:
            temp = self._temps[target]
            try:
                temp.parent.mkdir(parents=True, exist_ok=True)
                # (a surrogate, a file name's byte that is not UTF-8, written as \xNN: not a failed write)
                self._handles[target] = open(temp, "w", encoding="utf-8", errors=NAME_ERRORS, newline="")
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {reason(exc)}") from None
            _lock(self._handles[target])
        return self._handles[target]

    @contextlib.contextmanager
    def writing(self, target: str | os.PathLike) -> Iterator[TextIO]:
        """``with outputs.writing(target) as handle:`` the open handle of ``target``'s new content, for
        a writer that writes to a handle itself (``np.savetxt``, pandas' ``to_csv``): a failed write
        (a full disk, a size limit) is :class:`OutputError`, one line naming ``target``."""
        handle = self.handle(target)
        try:
            yield handle
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {reason(exc)}") from None

    def write(self, target: str | os.PathLike, text: str) -> None:
        """Write ``text`` as ``target``'s content."""
        with self.writing(target) as handle:
            handle.write(text)

    def write_bytes(self, target: str | os.PathLike, data: bytes) -> None:
        """Write ``data`` as ``target``'s content (closes its handle)."""
        handle = self.handle(target)
        try:
            handle.close()
            with open(self._temps[Path(target)], "wb") as raw:
                _lock(raw)
                raw.write(data)
                raw.flush()
                os.fsync(raw.fileno())  # (its text handle, closed, is not synced at the commit)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {reason(exc)}") from None

    def set_times(self, target: str | os.PathLike, times_ns: tuple[int, int]) -> None:
        """Give ``target`` these (access, modification) times in ns when it is put in place (its
        date is then never that of the writing, even for a moment)."""
        self._times_ns[Path(target)] = times_ns

    def __enter__(self) -> "OutputSet":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self._discard()

    def _commit(self) -> None:
        for target in self.targets:
            handle = self._handles.get(target) or self.handle(target)
            try:
                if not handle.closed:
                    handle.flush()
                    os.fsync(handle.fileno())
                    handle.close()
                if target in self._times_ns:
                    os.utime(self._temps[target], ns=self._times_ns[target])
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {reason(exc)}") from None
        # (target, its earlier file's hard link or None): each recorded before its rename, so that
        # a Ctrl-C at any point between them is undone; a target was renamed onto once its
        # temporary file is gone
        backups: list[list] = []
        _COMMITTING[0] += 1  # (a second Ctrl-C waits for this: the targets all new or all old)
        try:
            for target in self.targets:
                entry = [target, None]
                backups.append(entry)
                if target.is_file():
                    entry[1] = target.with_name(f".{target.name}.{os.getpid()}.bak")
                    try:
                        os.link(target, entry[1])
                    except OSError:
                        entry[1] = None
                os.replace(self._temps[target], target)
        except BaseException as exc:  # (a failed rename, or Ctrl-C between two of them)
            for done, backup in reversed(backups):  # put the earlier results back: all or none
                if self._temps[done].exists():
                    continue  # (not renamed onto)
                try:
                    if backup is not None:
                        os.replace(backup, done)
                    else:
                        done.unlink()
                except OSError:
                    pass
            if isinstance(exc, OSError):
                raise OutputError(f"{target}: cannot write: {reason(exc)}") from None
            raise
        finally:
            for _, backup in backups:
                if backup is not None:
                    try:
                        backup.unlink()
                    except OSError:
                        pass
            _COMMITTING[0] -= 1

    def _discard(self) -> None:
        for target, handle in self._handles.items():
            try:
                handle.close()
            except OSError:
                pass
        for temp in self._temps.values():
            try:
                temp.unlink()
            except OSError:
                pass
            OPEN_TEMPS.discard(temp)


_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def unsafe_name_reason(name: str) -> str | None:
    """Why ``name`` cannot be a file name inside a chosen folder (None: it can)."""
    if not name or not name.strip():
        return "it is empty"
    if os.path.isabs(name) or _UNSAFE_NAME.search(name):
        return "it holds a path separator or a control character"
    if name in (".", "..") or name.startswith("."):
        return "it starts with '.' (hidden, or a parent folder)"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return "it holds a control character"
    if len(name.encode("utf-8")) > 200:
        return "it is longer than 200 bytes"
    return None


def safe_file_stem(name: str) -> str:
    """``name`` encoded so it is one plain file name: ``%XX`` for separators, control characters,
    ``%`` itself and a leading ``.``; different names stay different."""
    out = []
    for i, char in enumerate(name):
        if (char in "/\\%" or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")
                or (i == 0 and char == ".")):
            out.append("".join(f"%{b:02X}" for b in char.encode("utf-8")))
        else:
            out.append(char)
    stem = "".join(out) or "%"
    return stem if len(stem.encode("utf-8")) <= 200 else stem[:150] + "%" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]
