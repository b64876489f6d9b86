"""Shared fixtures: the repository root, the costfront command built beside the library, a CLI runner."""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Runs the costfront command (COSTFRONT_BIN, else build/costfront) and returns its stdout."""
    binary = os.environ.get("COSTFRONT_BIN", str(ROOT / "build" / "costfront"))

    def run(*args: str) -> str:
        return subprocess.run([binary, *args], check=True, capture_output=True, text=True, cwd=ROOT).stdout

    return run


@pytest.fixture(scope="session")
def cli_json(cli):
    return lambda *args: json.loads(cli(*args))
