"""The collector is held off while any batch runs, and runs again after the last one, as it did before."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from contactpunt.gc_pause import collection_paused


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_runs_again_after_the_last_of_overlapping_batches():
    gc.enable()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with collection_paused():
            first_in.set()
            second_in.wait(5)
        seen["after the first"] = gc.isenabled()
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collection_paused():
            second_in.set()
            first_out.wait(5)
            seen["inside the second"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert seen == {"after the first": False, "inside the second": False}
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off_and_an_error_restores_it():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()

    gc.enable()
    with pytest.raises(RuntimeError), collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("the batch failed")
    assert gc.isenabled()
