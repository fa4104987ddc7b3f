"""Shared fixtures: where the project's and the third-party test files are.

The third-party corpus (real BPMN files from many modelling tools, real XES event logs,
Petri nets and the BPMN/XES schemas) is not part of the repository.  It is looked for at
``$BPMTOOL_TEST_DATA`` or, by default, ``../shared/data`` beside the clone.  Without it the
tests that read it are skipped — counted on one line at the end of the run — unless
``CI`` is set, where a missing corpus stops the run before any test starts.
"""

from __future__ import annotations

import os
import shutil
import types
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, screenshots

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
EXAMPLES = ROOT / "examples"
#: the environment variable that points the tests at a copy of the third-party corpus
CORPUS_VARIABLE = "BPMTOOL_TEST_DATA"
SHARED_DATA = Path(os.environ.get(CORPUS_VARIABLE) or ROOT.parent / "shared" / "data").resolve()
REFERENCE_MODEL = MODELS / "saas-handoffs.yaml"
FLAWED_MODEL = MODELS / "flawed-handoffs.yaml"

#: the corpus counts as present when all of its parts are there
CORPUS_PARTS = ("bpmn", "logs", "pnml", "xsd")
HAVE_CORPUS = all((SHARED_DATA / part).is_dir() for part in CORPUS_PARTS)
CORPUS_WHAT = "the third-party test corpus (real BPMN files, XES event logs, Petri nets, schemas)"

_skipped_for_corpus = pytest.StashKey[int]()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def corpus_files(paths: Iterable[Path]) -> list[Any]:
    """Parameters for a test over corpus files: the files, or — when there are none —
    one placeholder that is skipped (or fails in CI) instead of a test that vanishes."""
    found = list(paths)
    if found:
        return found
    return [
        pytest.param(SHARED_DATA / "corpus-missing", id="corpus-missing", marks=pytest.mark.corpus)
    ]


def _is_corpus_value(value: object) -> bool:
    if isinstance(value, Path):
        return value == SHARED_DATA or SHARED_DATA in value.parents
    if isinstance(value, (list, tuple)):
        return any(_is_corpus_value(v) for v in value[:3]) or (
            len(value) > 3 and _is_corpus_value(value[-1])
        )
    return False


def _code_needs_corpus(code: types.CodeType, module: dict[str, Any], seen: set[int]) -> bool:
    """Does this code (or a module-level function or constant it names) reach the corpus?"""
    if id(code) in seen:
        return False
    seen.add(id(code))
    for name in code.co_names:
        if name in ("SHARED_DATA", "shared_data"):
            return True
        value = module.get(name)
        if _is_corpus_value(value):
            return True
        value = getattr(value, "__wrapped__", value)  # through functools.cache and friends
        func = getattr(value, "__code__", None)
        if (
            isinstance(func, types.CodeType)
            and getattr(value, "__module__", None) == module.get("__name__")
            and _code_needs_corpus(func, module, seen)
        ):
            return True
    return any(
        isinstance(c, types.CodeType) and _code_needs_corpus(c, module, seen)
        for c in code.co_consts
    )


def needs_corpus(item: pytest.Item) -> bool:
    """A test needs the corpus when it is marked so, asks for ``shared_data``, is given a
    corpus file as a parameter, or its code (or a fixture's) names a corpus path."""
    if item.get_closest_marker("corpus") or "shared_data" in getattr(item, "fixturenames", ()):
        return True
    callspec = getattr(item, "callspec", None)
    if callspec is not None and any(_is_corpus_value(v) for v in callspec.params.values()):
        return True
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info is not None else ():
        functions += [d.func for d in defs if getattr(d, "baseid", "").startswith("tests")]
    for func in functions:
        code = getattr(func, "__code__", None)
        if code is not None and _code_needs_corpus(code, func.__globals__, set()):
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"corpus: needs {CORPUS_WHAT}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not HAVE_CORPUS:
        wanting = [item for item in items if needs_corpus(item)]
        if wanting and in_ci():
            raise pytest.UsageError(
                f"{len(wanting)} selected tests need {CORPUS_WHAT}, which is not at "
                f"{SHARED_DATA}; CI is set, so this is an error. Point {CORPUS_VARIABLE} at a "
                "copy of it."
            )
        skip = pytest.mark.skip(reason=f"needs {CORPUS_WHAT}; set {CORPUS_VARIABLE}")
        for item in wanting:
            item.add_marker(skip)
        config.stash[_skipped_for_corpus] = len(wanting)
    # browser tests need Chromium; outside CI they are skipped when it is missing
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists() or in_ci():
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    count = config.stash.get(_skipped_for_corpus, 0)
    if count:
        terminalreporter.write_line(
            f"{count} tests skipped: they need {CORPUS_WHAT}, not found at {SHARED_DATA}; "
            f"set {CORPUS_VARIABLE} to a copy of it to run them (with CI=true its absence "
            "is an error).",
            yellow=True,
        )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not HAVE_CORPUS:
        pytest.fail(f"{CORPUS_WHAT} not found at {SHARED_DATA}; set {CORPUS_VARIABLE}")
    return SHARED_DATA


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium (tests/browser.py)."""
    with chromium() as b:
        yield b


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """The folder a test writes its screenshots to."""
    return screenshots(tmp_path)
