"""The feed and card-details cache under a crowd: one build per directory version, however many threads
ask at once, and a failed build is not remembered."""

from __future__ import annotations

import threading
import time

import pytest

from elip_map.directory.fingerprint import VersionedCache


def test_threads_arriving_together_share_one_build():
    cache = VersionedCache()
    builds = []
    release = threading.Event()
    started = threading.Event()

    def build():
        builds.append(threading.get_ident())
        started.set()
        release.wait(10)          # the first build is still running while the others arrive
        return {"built-by": threading.get_ident()}

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get_or_build("feed-v1", build))) for _ in range(8)]
    threads[0].start()
    started.wait(10)
    for t in threads[1:]:
        t.start()
    time.sleep(0.3)               # let them all reach the cache before the first build ends
    release.set()
    for t in threads:
        t.join(10)
    assert len(builds) == 1
    assert len(answers) == 8 and all(a is answers[0] for a in answers)


def test_a_failed_build_is_tried_again_by_the_next_request():
    cache = VersionedCache()
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get_or_build("details-v1", broken)
    assert cache.get_or_build("details-v1", lambda: "ok") == "ok"
    assert cache.get_or_build("details-v1", broken) == "ok" and len(calls) == 1


def test_old_versions_fall_out_and_are_rebuilt():
    cache = VersionedCache(size=2)
    for v in ("a", "b", "c"):
        cache.get_or_build(v, lambda v=v: v.upper())
    assert cache.get_or_build("a", lambda: "rebuilt") == "rebuilt"
    assert cache.get_or_build("c", lambda: "never") == "C"


def test_freed_memory_is_handed_back_after_each_build_only(monkeypatch):
    import elip_map.directory.fingerprint as fingerprint

    trims = []
    monkeypatch.setattr(fingerprint, "_TRIM", trims.append)
    cache = VersionedCache()
    cache.get_or_build("feed-v1", lambda: "built")
    cache.get_or_build("feed-v1", lambda: "never")   # found: nothing was freed
    assert trims == [0]
    fingerprint.release_freed_memory()
    assert trims == [0, 0]
