"""Reading in a child process with a memory and a time limit.

A reader bug, a Rust panic that aborts, or a file that needs more memory than the
machine can give then takes down only the child: the caller gets one
:class:`~casekit.errors.UnreadableFileError` and its own process (the Streamlit server
every user shares, the command line) goes on. The child's address space is capped with
``RLIMIT_AS`` and it is killed after ``timeout`` seconds.

The child starts a fresh Python (never ``fork``: the app's threads and polars' thread
pool do not survive a fork) that imports only the readers, so a read costs about a
second more than in process. The frames it read come back as Arrow IPC files in the
read's private folder (written and read at the speed of a copy), the rest of the result
as a pickle that refers to them (:class:`_FramePickler`). :func:`prestart_reader` starts a
child before the file arrives (the app, when it shows the upload widget): it sets its
limits, imports the readers and waits; the next read with the same memory limit uses it.

Examples
--------
>>> data = read_isolated(b"case_id,opened_on\\n7,2026-03-01\\n", filename="cases.csv")
>>> data.n_rows()
{'cases': 1}
>>> read_isolated(b"PK\\x03\\x04 not a zip", filename="a.xlsx", lang="es")
Traceback (most recent call last):
casekit.errors.UnreadableFileError: No se pudo leer el archivo «a.xlsx»: ...
"""

from __future__ import annotations

import errno
import os
import pickle
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from casekit.data import CaseData
from casekit.errors import UnreadableFileError
from casekit.i18n import normalize_lang
from casekit.io._read import Source, _label, _Options, _pairs, _read_bytes
from casekit.io._safety import DEFAULT_MAX_BYTES, Limits

#: Environment variables that set the child's memory (MB) and time (seconds) limits.
MEMORY_ENV, TIMEOUT_ENV = "CASEKIT_READ_MEMORY_MB", "CASEKIT_READ_TIMEOUT_S"
#: Default time limit of one read, in seconds.
DEFAULT_TIMEOUT = 300.0
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_MB = 1 << 20


def default_max_memory() -> int:
    """The child's address-space limit in bytes: ``CASEKIT_READ_MEMORY_MB`` if set, else
    half of the machine's memory (at least 1 GiB).

    >>> default_max_memory() >= 1 << 30 or MEMORY_ENV in os.environ
    True
    """
    value = os.environ.get(MEMORY_ENV, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value) * _MB
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):  # pragma: no cover - not on Linux
        physical = 8 << 30
    return max(1 << 30, physical // 2)


def default_timeout() -> float:
    """The child's time limit in seconds: ``CASEKIT_READ_TIMEOUT_S`` if set, else 300."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, ""))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def read_isolated(
    source: Source,
    *,
    filename: str | None = None,
    lang: str = "en",
    max_memory: int | None = None,
    timeout: float | None = None,
    **options: Any,
) -> CaseData:
    """:func:`casekit.io.read_workbook` in a child process limited to ``max_memory`` bytes
    of address space and ``timeout`` seconds (defaults: :func:`default_max_memory`,
    :func:`default_timeout`). ``options`` are ``read_workbook``'s (``month_first``,
    ``max_bytes``, ``max_cells``…).

    Whatever happens in the child — an unreadable file, a crash, memory or time running
    out — the caller gets one :class:`~casekit.errors.UnreadableFileError` in ``lang``.
    """
    lang = normalize_lang(lang)
    label = _label(source, filename, lang)
    max_memory = max_memory or default_max_memory()
    timeout = timeout or default_timeout()
    work = Path(tempfile.mkdtemp(prefix="casekit-read-"))
    try:
        request = work / "request.pickle"
        result = work / "result.pickle"
        payload = _portable(source, label, lang, options.get("max_bytes", DEFAULT_MAX_BYTES))
        with request.open("wb") as fh:
            pickle.dump({"source": payload, "filename": filename, "lang": lang, "options": options}, fh)
        outcome = _run_child(request, result, max_memory=max_memory, timeout=timeout)
        if outcome == "timeout":
            raise UnreadableFileError("io.timeout", lang=lang, file=label, limit=f"{timeout:g}")
        if not result.exists():
            if outcome == "memory":
                raise UnreadableFileError("io.out_of_memory", lang=lang, file=label, limit=str(max_memory // _MB))
            raise UnreadableFileError("io.reader_failed", lang=lang, file=label)
        with result.open("rb") as fh:
            kind, *rest = _FrameUnpickler(fh, work).load()  # written by our own child, in our own private folder
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if kind == "ok":
        return rest[0]
    if kind == "memory":
        raise UnreadableFileError("io.out_of_memory", lang=lang, file=label, limit=str(max_memory // _MB))
    if kind == "failed":
        raise UnreadableFileError("io.reader_failed", lang=lang, file=label)
    key, params = rest
    raise UnreadableFileError(key, lang=lang, **params)


def _portable(source: Any, label: str, lang: str, max_bytes: int) -> Any:
    """``source`` in a form the child can unpickle: paths stay paths, file objects become bytes."""
    if isinstance(source, str | os.PathLike):
        return Path(source).resolve()
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    opts = _Options(lang, False, Limits(max_bytes=max_bytes))
    pairs = _pairs(source)
    if pairs is not None:
        return [
            (name, Path(obj).resolve() if isinstance(obj, str | os.PathLike) else _read_bytes(obj, name, opts))
            for name, obj in pairs
        ]
    return _read_bytes(source, label, opts)


#: The child started before its read (:func:`prestart_reader`): ``(process, its memory limit)``.
_SPARE: list[tuple[subprocess.Popen[bytes], int]] = []
_SPARE_LOCK = threading.Lock()
#: Seconds a child started before its read waits for one before it exits.
SPARE_IDLE_S = 600.0
#: Marks the request's place on a waiting child's command line: the paths come on its stdin.
_WAIT = "-"


def prestart_reader(*, max_memory: int | None = None) -> None:
    """Start a reader child now, before its file arrives (unless one is waiting already): it
    limits its memory to ``max_memory`` (default :func:`default_max_memory`), imports the
    readers and waits (at most :data:`SPARE_IDLE_S`); the next :func:`read_isolated` with the
    same limit gives it its file, so the read does not wait for a Python to start (issue 18).
    The time limit counts from the file, as for a child started then.

    >>> prestart_reader(); prestart_reader(); len(_SPARE)  # one waiting child
    1
    >>> read_isolated(b"case_id,opened_on\\n7,2026-03-01\\n", filename="cases.csv").n_rows(), len(_SPARE)
    ({'cases': 1}, 0)
    """
    max_memory = max_memory or default_max_memory()
    with _SPARE_LOCK:
        if _SPARE and _SPARE[0][0].poll() is None and _SPARE[0][1] == max_memory:
            return
        _drop_spare()
        _SPARE.append((_start_child(max_memory, _WAIT, _WAIT), max_memory))


def _drop_spare() -> None:
    """End the waiting child, if any (the caller holds the lock)."""
    while _SPARE:
        child, _ = _SPARE.pop()
        if child.poll() is None:
            child.kill()
        child.communicate()  # reaped, its pipes closed


def _take_spare(max_memory: int) -> subprocess.Popen[bytes] | None:
    """The waiting child if it is alive and has this memory limit (it is then no longer spare)."""
    with _SPARE_LOCK:
        if _SPARE and _SPARE[0][0].poll() is None and _SPARE[0][1] == max_memory:
            return _SPARE.pop()[0]
        _drop_spare()
        return None


def _start_child(max_memory: int, request: str, result: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASEKIT_CHILD_MEMORY": str(max_memory),
        # jemalloc (polars) prints a line per thread it cannot start under RLIMIT_AS
        "_RJEM_MALLOC_CONF": "background_thread:false",
        "PYTHONWARNINGS": "ignore",
    }
    bootstrap = (
        "import sys, types; m = types.ModuleType('casekit'); m.__path__ = [sys.argv[1]]; "
        "sys.modules['casekit'] = m; from casekit.io._isolate import child_main; child_main(sys.argv[2], sys.argv[3])"
    )
    command = [sys.executable, "-c", bootstrap, str(_PACKAGE_DIR), request, result]
    return subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run_child(request: Path, result: Path, *, max_memory: int, timeout: float) -> str:
    """Run the child (the waiting one if it fits, else a new one); ``ok``, ``timeout``,
    ``memory`` (it ran out of memory) or ``failed``."""
    child = _take_spare(max_memory)
    paths = b""
    if child is not None:
        paths = f"{request}\n{result}\n".encode()
    else:
        child = _start_child(max_memory, str(request), str(result))
    try:
        _, stderr = child.communicate(paths, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return "timeout"
    if child.returncode == 0:
        return "ok"
    stderr = stderr[-4000:].lower()
    out_of_memory = (
        b"memory allocation",
        b"memoryerror",
        b"cannot allocate",
        b"out of memory",
        b"bad_alloc",
        b"failed to map segment",
    )
    if any(m in stderr for m in out_of_memory) or child.returncode in (-signal.SIGKILL, -signal.SIGSEGV):
        return "memory"
    return "failed"


def _limit_memory(max_memory: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = max_memory if soft == resource.RLIM_INFINITY else min(soft, max_memory)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


#: What a failed allocation says in a Rust panic (a thread whose stack cannot be mapped: EAGAIN).
_MEMORY_WORDS = (
    "OutOfMemory",
    "Cannot allocate memory",
    "memory allocation",
    "capacity overflow",
    "Resource temporarily unavailable",
    "os error 12",
)


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether ``exc`` or what caused it is a failed allocation (``MemoryError``, ``ENOMEM``).

    >>> _out_of_memory(ValueError("x")), _out_of_memory(OSError(errno.ENOMEM, "Cannot allocate memory"))
    (False, True)
    """
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
            return True
        if any(words in str(exc) for words in _MEMORY_WORDS):  # Rust panics: "OutOfMemory", "memory allocation"
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def child_main(request: str, result: str) -> None:
    """The child's side: limit memory, read, write ``("ok", data)`` or the error's key.
    Started before its read (``request`` is ``-``): the readers imported, it waits for the
    two paths on its stdin (and exits after :data:`SPARE_IDLE_S` or when stdin closes)."""
    _limit_memory(int(os.environ.get("CASEKIT_CHILD_MEMORY", "0")) or default_max_memory())
    from casekit.io._read import read_workbook

    if request == _WAIT:
        import pyarrow.parquet  # noqa: F401 — a Parquet file's metadata is read with it: imported while waiting

        ready, _, _ = select.select([sys.stdin], [], [], SPARE_IDLE_S)
        lines = (sys.stdin.readline().strip(), sys.stdin.readline().strip()) if ready else ("", "")
        if not all(lines):
            sys.exit(0)  # no read came
        request, result = lines
    with Path(request).open("rb") as fh:
        req = pickle.load(fh)
    try:
        out: tuple[Any, ...] = (
            "ok",
            read_workbook(req["source"], filename=req["filename"], lang=req["lang"], **req["options"]),
        )
    except BaseException as exc:  # every failure of the child is reported, none escapes
        if _out_of_memory(exc):
            out = ("memory",)
        elif isinstance(exc, UnreadableFileError):
            out = ("error", exc.key, exc.params)
        else:
            out = ("failed",)
    try:
        with Path(result).open("wb") as fh:
            _FramePickler(fh, Path(result).parent).dump(out)
    except MemoryError:
        Path(result).unlink(missing_ok=True)
        sys.exit(3)


class _FramePickler(pickle.Pickler):
    """Pickles the child's result with each polars frame in it written apart, as an Arrow IPC
    file (uncompressed) in ``folder``: polars' own pickling of the frames (its serialised
    format) took ~1 s at 100k cases, writing and reading Arrow a copy's time (issue 18)."""

    def __init__(self, fh: Any, folder: Path) -> None:
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder, self.count = folder, 0

    def persistent_id(self, obj: Any) -> tuple[str, str] | None:  # pickle's hook
        import polars as pl

        if type(obj) is not pl.DataFrame:
            return None
        name = f"frame-{self.count}.arrow"
        self.count += 1
        obj.write_ipc(self.folder / name, compression="uncompressed")
        return ("frame", name)


class _FrameUnpickler(pickle.Unpickler):
    """Reads what :class:`_FramePickler` wrote: each frame from its Arrow IPC file in
    ``folder``, read into memory (the folder is removed after the read).

    >>> import io, polars as pl
    >>> folder = Path(tempfile.mkdtemp())
    >>> frame = pl.DataFrame({"a": [1, None], "d": [None, __import__("datetime").date(2026, 3, 1)]})
    >>> buffer = io.BytesIO()
    >>> _FramePickler(buffer, folder).dump(("ok", {"cases": frame}))
    >>> sorted(p.name for p in folder.iterdir())
    ['frame-0.arrow']
    >>> kind, back = _FrameUnpickler(io.BytesIO(buffer.getvalue()), folder).load()
    >>> kind, back["cases"].equals(frame), back["cases"].schema == frame.schema
    ('ok', True, True)
    >>> shutil.rmtree(folder)
    """

    def __init__(self, fh: Any, folder: Path) -> None:
        super().__init__(fh)
        self.folder = folder

    def persistent_load(self, pid: Any) -> Any:  # pickle's hook
        import polars as pl

        kind, name = pid
        if kind != "frame" or Path(name).name != name:  # only a file of this folder
            raise pickle.UnpicklingError(f"unexpected reference {pid!r}")
        # from bytes, not the path: polars would map the file, which the read then removes
        return pl.read_ipc((self.folder / name).read_bytes())
