"""The engine in a child process, so it simulates on the second core while this process writes.

A long history (the first start's demo) costs about a third as much to simulate as to write; in a
child process the simulation of day d+1 overlaps the writing of day d. The child is a plain
`python -m contactpunt.simulation.engine_process` (not multiprocessing: nothing of the parent's
`__main__` is run again), speaking pickled frames over two pipes of its own, so whatever it prints
cannot garble them. It keeps running for the live mode afterwards.

    engine = EngineProcess(scenario, start=start, seed=1, scale=2.0, days=90)
    for records in engine.records([86_400.0, 172_800.0]):
        writer.write(records)
    engine.close()

The child runs the same Engine with the same arguments as an in-process run, so the records are
the same (tests/test_engine_process.py checks it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from contactpunt.simulation.engine import Engine, PlanShift, Record
from contactpunt.simulation.scenario import Scenario

STOP_TIMEOUT_S = 5.0
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds `contactpunt`


class EngineError(RuntimeError):
    """The engine failed or ended in its child process."""


class EngineProcess:
    """An Engine(scenario, **arguments) in a child process; `records` as Engine.records."""

    def __init__(self, scenario: Scenario, **arguments: Any) -> None:
        to_child, commands = os.pipe()
        answers, from_child = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH", "")]))
        try:
            self._process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", __name__, str(to_child), str(from_child)],
                pass_fds=(to_child, from_child),
                stdin=subprocess.DEVNULL,
                env=env,
                # Its own session: a Ctrl+C in the terminal stops the parent, which closes the pipes; the child
                # then ends quietly at the end of its input (it printed a KeyboardInterrupt traceback).
                start_new_session=True,
            )
        finally:
            os.close(to_child)
            os.close(from_child)
        self._commands = os.fdopen(commands, "wb")
        self._answers = os.fdopen(answers, "rb")
        self._send((scenario, arguments))

    def _send(self, message: Any) -> None:
        try:
            pickle.dump(message, self._commands, protocol=pickle.HIGHEST_PROTOCOL)
            self._commands.flush()
        except OSError as error:
            raise EngineError(f"the engine process ended (exit code {self._process.poll()})") from error

    def records(self, untils: Iterable[float]) -> Iterator[list[Record]]:
        """Ask for all of `untils` at once (the child works ahead while the caller writes) and yield
        each moment's records as they come."""
        untils = list(untils)
        self._send(untils)
        for _ in untils:
            try:
                status, payload = pickle.load(self._answers)  # noqa: S301 (our own child)
            except (EOFError, OSError) as error:
                raise EngineError(f"the engine process ended (exit code {self._process.poll()})") from error
            if status == "error":
                raise EngineError(f"the engine process failed:\n{payload}")
            yield payload

    def follow(self, plans: dict[dt.date, list[PlanShift]]) -> None:
        """As Engine.follow: the child works these days as planned from the moment it has reached."""
        self._send(("follow", plans))

    def close(self) -> None:
        """Stop the child process."""
        with contextlib.suppress(EngineError):  # it ended already
            self._send(None)
        for stream in (self._commands, self._answers):
            with contextlib.suppress(OSError):
                stream.close()
        try:
            self._process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def serve(commands: IO[bytes], answers: IO[bytes]) -> None:
    """The child: build the engine from the first message, then answer each list of moments with one
    message per moment (a plan to follow, ("follow", plans), needs no answer), until None or the end of the pipe."""

    def answer(message: tuple[str, Any]) -> None:
        pickle.dump(message, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()

    try:
        scenario, arguments = pickle.load(commands)  # noqa: S301 (sent by our own parent)
        engine = Engine(scenario, **arguments)
        while (message := pickle.load(commands)) is not None:  # noqa: S301
            if isinstance(message, tuple):
                engine.follow(message[1])
                continue
            for records in engine.records(message, keep_log=False):
                answer(("ok", records))
    except (EOFError, BrokenPipeError):
        pass  # the parent went away
    except Exception:
        answer(("error", traceback.format_exc()))


if __name__ == "__main__":
    with os.fdopen(int(sys.argv[1]), "rb") as commands_in, os.fdopen(int(sys.argv[2]), "wb") as answers_out:
        serve(commands_in, answers_out)
