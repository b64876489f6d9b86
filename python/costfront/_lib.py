"""Loading libcostfront.so through ctypes and calling its JSON entry points (include/costfront/bindings.h).

The library is looked for, in order: the file named by the environment variable COSTFRONT_LIB; the installed
library (what the dynamic loader finds for "costfront", and the usual install prefixes); the build tree of the
repository this package sits in, or of the current directory (``build/libcostfront.so``).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import threading
from pathlib import Path
from typing import Any, List, Optional

__all__ = ["Error", "lib", "library_path", "call_json"]


class Error(Exception):
    """A failure reported by costfront: what the library's error record says.

    Attributes:
        message: the library's message (a full sentence: what was expected, what was found).
        file: the file or other source the error is about ("examples/runs_bad.csv", "request"), or None.
        line: the 1-based line in that file, or None when unknown.
        column: the 1-based column (CSV field number or byte column), or None.
        field: the field name or JSON path ("accuracy", "params[2].low"), or None.
        status: the library's status name ("invalid input", ...), and ``code`` its number (negative).
    """

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None,
                 column: Optional[int] = None, field: Optional[str] = None, code: int = -4,
                 status: str = "invalid") -> None:
        self.message = message
        self.file = file or None
        self.line = line or None
        self.column = column or None
        self.field = field or None
        self.code = code
        self.status = status
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class _CfError(ctypes.Structure):
    """struct cf_error of include/costfront/status.h."""

    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 512), ("source", ctypes.c_char * 256),
                ("line", ctypes.c_long), ("column", ctypes.c_long), ("field", ctypes.c_char * 128)]


def _candidates() -> List[Path]:
    """The places the library is looked for, in order (COSTFRONT_LIB is handled by the caller)."""
    out: List[Path] = []
    found = ctypes.util.find_library("costfront")
    if found:
        out.append(Path(found))
    for prefix in ("/usr/local/lib", "/usr/lib", "/usr/local/lib64", "/usr/lib/x86_64-linux-gnu"):
        out.append(Path(prefix) / "libcostfront.so")
    here = Path(__file__).resolve()
    for base in list(here.parents)[:4] + [Path.cwd()] + list(Path.cwd().parents)[:3]:
        out.append(base / "build" / "libcostfront.so")
    return out


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def _declare(L: ctypes.CDLL) -> None:
    """Declares the argument and result types of every entry point the package calls."""
    P, S, I, E = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_CfError)
    pp = ctypes.POINTER(ctypes.c_void_p)
    for name in ("cf_bind_read_runs", "cf_bind_frontier", "cf_bind_predict", "cf_bind_tco"):
        f = getattr(L, name)
        f.restype, f.argtypes = I, [S, pp, E]
    L.cf_bind_study_create.restype = I
    L.cf_bind_study_create.argtypes = [S, S, S, S, I, pp, E]
    L.cf_study_open.restype = I
    L.cf_study_open.argtypes = [S, pp, E]
    L.cf_study_destroy.restype, L.cf_study_destroy.argtypes = None, [P]
    L.cf_bind_study_ask.restype = I
    L.cf_bind_study_ask.argtypes = [P, ctypes.c_size_t, ctypes.c_ulong, pp, E]
    L.cf_bind_study_tell.restype = I
    L.cf_bind_study_tell.argtypes = [P, ctypes.c_long, S, S, E]
    L.cf_bind_study_report.restype = I
    L.cf_bind_study_report.argtypes = [P, ctypes.c_long, ctypes.c_long, S, ctypes.c_double, E]
    L.cf_bind_study_should_prune.restype = I
    L.cf_bind_study_should_prune.argtypes = [P, ctypes.c_long, S, pp, E]
    L.cf_bind_study_steps.restype = I
    L.cf_bind_study_steps.argtypes = [P, ctypes.c_long, pp, E]
    L.cf_bind_study_add.restype = I
    L.cf_bind_study_add.argtypes = [P, S, S, ctypes.POINTER(ctypes.c_long), E]
    for name in ("cf_bind_study_trials", "cf_bind_study_front"):
        f = getattr(L, name)
        f.restype, f.argtypes = I, [P, pp, E]
    L.cf_study_set_effort.restype = None
    L.cf_study_set_effort.argtypes = [P] + [ctypes.c_size_t] * 4
    L.cf_study_set_n_init.restype, L.cf_study_set_n_init.argtypes = None, [P, ctypes.c_size_t]
    L.cf_study_set_acquisition.restype, L.cf_study_set_acquisition.argtypes = None, [P, I]
    L.cf_study_cost_aware.restype, L.cf_study_cost_aware.argtypes = I, [P]
    L.cf_status_str.restype, L.cf_status_str.argtypes = S, [I]
    L.cf_version.restype, L.cf_version.argtypes = S, []
    L.cf_set_blas_threads.restype, L.cf_set_blas_threads.argtypes = None, [I]
    L.cf_free.restype, L.cf_free.argtypes = None, [P]


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use). Raises Error when it cannot be found or lacks the bindings."""
    global _lib, _path
    with _lock:
        if _lib is not None:
            return _lib
        env = os.environ.get("COSTFRONT_LIB")
        tried = [Path(env)] if env else _candidates()
        last = None
        for p in tried:
            if not env and p.is_absolute() and not p.exists():
                continue
            try:
                L = ctypes.CDLL(str(p))
            except OSError as e:
                last = e
                continue
            try:
                _declare(L)
            except AttributeError as e:
                raise Error(f"{p} is a costfront library without the Python bindings ({e}); rebuild it",
                            file=str(p), status="not found", code=-6) from None
            if not os.environ.get("OPENBLAS_NUM_THREADS"):
                L.cf_set_blas_threads(1)  # as the command does: small GPs run faster on one thread
            _lib, _path = L, str(p)
            return L
        names = ", ".join(str(p) for p in tried)
        raise Error(f"cannot load libcostfront.so (set COSTFRONT_LIB, install it, or build it in build/); tried {names}"
                    + (f": {last}" if env and last else ""), status="not found", code=-6)


def library_path() -> str:
    """The file the library was loaded from."""
    lib()
    return str(_path)


def new_error() -> _CfError:
    """A zeroed error record to pass to the library."""
    return _CfError()


def raise_error(L: ctypes.CDLL, code: int, err: _CfError, rename: Optional[dict] = None) -> None:
    """Raises the Error the library's record describes; rename maps temporary file names to what the user gave."""
    src = err.source.decode("utf-8", "replace")
    msg = err.message.decode("utf-8", "replace")
    for k, v in (rename or {}).items():
        if src == k:
            src = v
        msg = msg.replace(k, v)
    raise Error(msg or L.cf_status_str(code).decode(), file=src, line=err.line, column=err.column,
                field=err.field.decode("utf-8", "replace"), code=code, status=L.cf_status_str(code).decode())


def take_text(L: ctypes.CDLL, ptr: ctypes.c_void_p) -> str:
    """Decodes a string the library returned and frees it."""
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        L.cf_free(ptr)


def call_json(name: str, request: dict, rename: Optional[dict] = None) -> str:
    """Calls cf_bind_<name> with the request as JSON and returns the text it returns; raises Error on failure."""
    L = lib()
    out = ctypes.c_void_p()
    err = new_error()
    code = getattr(L, "cf_bind_" + name)(json.dumps(request).encode(), ctypes.byref(out), ctypes.byref(err))
    if code != 0:
        raise_error(L, code, err, rename)
    return take_text(L, out)


def loads(text: str) -> Any:
    """Parses JSON the library printed (NaN never appears: the library prints null)."""
    return json.loads(text)
