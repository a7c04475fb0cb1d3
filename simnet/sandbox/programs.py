"""A neuron script run in this process exactly as ``python`` runs it, as ``coverage run``
runs one: ``sys.argv`` and ``sys.path[0]`` are what ``python script.py ARGS`` would give
it. Both stacks' ``simnet run`` use it; what each redirects around it is theirs.
"""

from __future__ import annotations

import os
import re
import runpy
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simnet._release import wrong_stack_line

_PYTHONS = ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}")
# How a missing ``bittensor`` name reads where the exception does not carry it (Python
# 3.10 and 3.11 set ``AttributeError.obj`` only for some lookups; ``ImportError`` never).
_MISSING = re.compile(
    r"cannot import name '(\w+)' from 'bittensor'"
    r"|module 'bittensor' has no attribute '(\w+)'"
    r"|^bittensor\.(\w+) was removed"
)


class UsageError(Exception):
    """The command given to ``simnet run`` cannot be run; the message says why."""


@dataclass(frozen=True)
class Program:
    """What to run: a script path, a module name or a command string, and its arguments."""

    script: Path | None
    module: str | None
    args: list[str]
    code: str | None = None

    @property
    def argv0(self) -> str:
        """``sys.argv[0]`` as ``python`` gives it: the script, the module, or ``-c``."""
        if self.code is not None:
            return "-c"
        return str(self.script) if self.script is not None else str(self.module)


def parse_command(command: Sequence[str]) -> Program:
    """``python script.py ARGS``, ``python -m module ARGS``, ``python -c CODE ARGS`` or
    ``script.py ARGS``."""
    words = list(command)
    python = bool(words) and (Path(words[0]).name in _PYTHONS or words[0] == sys.executable)
    if python:
        words = words[1:]
    if not words:
        raise UsageError("give the neuron to run: simnet run -- python neurons/miner.py ARGS")
    if words[0] == "-m":
        if len(words) < 2:
            raise UsageError("-m needs a module name")
        return Program(None, words[1], words[2:])
    if words[0] == "-c":
        if len(words) < 2:
            raise UsageError("-c needs the code to run")
        return Program(None, None, words[2:], code=words[1])
    if words[0].startswith("-"):
        raise UsageError(f"python option {words[0]} is not supported by simnet run")
    script = Path(words[0])
    if not python and script.suffix != ".py":
        raise UsageError(
            f"{words[0]} is not a Python script (simnet run runs python SCRIPT.py or "
            "python -m MODULE)"
        )
    if not script.is_file():
        raise UsageError(f"no script {words[0]}")
    return Program(script, None, words[1:])


def execute(program: Program, refusal: Callable[[Exception], str | None] = lambda exc: None) -> int:
    """Run ``program`` in this process as ``python`` would; returns its exit status.

    An exception ``refusal`` turns into a line (simnet's own refusals) is printed as that
    one line, exit 1; a script written for the other bittensor stack is one line naming
    the name it stopped on and what to install, exit 2; anything else is the script's."""
    saved_argv, saved_path0 = sys.argv, sys.path[0] if sys.path else ""
    sys.argv = [program.argv0, *program.args]
    try:
        if program.code is not None:
            sys.path[0] = ""
            exec(compile(program.code, "<string>", "exec"), {"__name__": "__main__"})
        elif program.script is not None:
            sys.path[0] = str(program.script.resolve().parent)
            runpy.run_path(str(program.script), run_name="__main__")
        else:
            sys.path[0] = os.getcwd()
            runpy.run_module(str(program.module), run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = refusal(exc)
        if line is not None:
            print(f"simnet run: {line}", file=sys.stderr, flush=True)
            return 1
        line = _wrong_stack(exc, program)
        if line is None:
            raise
        print(f"simnet run: {line}", file=sys.stderr, flush=True)
        return 2
    finally:
        sys.argv = saved_argv
        if sys.path:
            sys.path[0] = saved_path0
    return 0


def _wrong_stack(exc: Exception, program: Program) -> str | None:
    """The one line for a script that stopped on a name of the other bittensor stack."""
    if not isinstance(exc, AttributeError | ImportError):
        return None
    name = None
    if isinstance(exc, AttributeError) and getattr(exc, "obj", None) is sys.modules.get(
        "bittensor"
    ):
        name = exc.name
    if name is None:
        match = _MISSING.search(str(exc))
        name = next((group for group in match.groups() if group), None) if match else None
    return wrong_stack_line(name, program.argv0) if name else None


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr, flush=True)
    return 1
