"""The site is published by one switch (issue 20, point 3): a build that crashes, also by
SIGKILL, leaves the previous site whole (`rendement.core.files.switched_folder`)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from rendement.core.files import switched_folder, write_atomic


def _site(tmp_path, pages: dict[str, str]):
    link = tmp_path / "site"
    with switched_folder(link) as folder:
        for name, text in pages.items():
            write_atomic(folder / name, text)
    return link


def test_a_new_version_is_switched_to_whole_and_unchanged_files_are_shared(tmp_path):
    link = _site(tmp_path, {"index.html": "v1", "org/A/rapport.html": "a1", "b.html": "b1"})
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    before = os.stat(link / "b.html")
    with switched_folder(link) as folder:
        write_atomic(folder / "index.html", "v2")
        assert (link / "index.html").read_text() == "v1"  # the served site is the old one
    assert (link / "index.html").read_text() == "v2"
    assert (link / "org/A/rapport.html").read_text() == "a1"
    after = os.stat(link / "b.html")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    versions = [p for p in (tmp_path / ".site-versies").iterdir() if p.is_dir()]
    assert len(versions) == 2  # the current one and the one before


def _tree(root) -> dict[str, tuple[str, str]]:
    """{relative path: (kind, content or link target)} of everything under `root`."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                out[rel] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                out[rel] = ("dir", "")
            else:
                with open(path) as fh:
                    out[rel] = ("file", fh.read())
    return out


def test_the_version_before_is_brought_up_to_date_and_becomes_the_new_one(tmp_path):
    link = _site(tmp_path, {"index.html": "v1", "weg.html": "w1", "org/A/a.html": "a1"})
    os.symlink("../../validatie/A", link / "org" / "A" / "validatie")
    (link / "org" / "B").mkdir()
    (link / "org" / "B" / "b.html").write_text("b1")
    shared = os.stat(link / "org/A/a.html").st_ino
    with switched_folder(link) as folder:  # the second version: changes of every kind
        write_atomic(folder / "index.html", "v2")
        (folder / "weg.html").unlink()
        (folder / "org" / "A" / "validatie").unlink()
        os.symlink("../../validatie/A2", folder / "org" / "A" / "validatie")
        shutil.rmtree(folder / "org" / "B")
        write_atomic(folder / "org" / "B", "nu een bestand")
        write_atomic(folder / "nieuw.html", "n2")
    store = tmp_path / ".site-versies"
    before = min((p for p in store.iterdir() if p.is_dir()), key=lambda p: p.name)
    reused = os.stat(before).st_ino  # the first version, now the one before
    second = _tree(link)
    with switched_folder(link) as folder:  # the third starts from the first, brought up to date
        assert _tree(folder) == second
        write_atomic(folder / "index.html", "v3")
    assert os.stat(link.resolve()).st_ino == reused
    assert _tree(link) == {**second, "index.html": ("file", "v3")}
    assert os.stat(link / "org/A/a.html").st_ino == shared  # unchanged files stay one file
    assert len([p for p in store.iterdir() if p.is_dir()]) == 2


def test_an_exception_while_building_leaves_the_old_site(tmp_path):
    link = _site(tmp_path, {"index.html": "v1", "sector-2025.html": "s1"})
    with pytest.raises(RuntimeError), switched_folder(link) as folder:
        (folder / "index.html").unlink()
        write_atomic(folder / "sector-2025.html", "s2")
        raise RuntimeError("kapot")
    assert (link / "index.html").read_text() == "v1"
    assert (link / "sector-2025.html").read_text() == "s1"
    assert len([p for p in (tmp_path / ".site-versies").iterdir() if p.is_dir()]) == 1


def test_a_home_from_before_versions_is_moved_into_them(tmp_path):
    link = tmp_path / "site"
    (link / "org" / "A").mkdir(parents=True)
    (link / "index.html").write_text("oud")
    (link / "org" / "A" / "validatie.json").write_text("{}")
    with switched_folder(link) as folder:
        write_atomic(folder / "index.html", "nieuw")
    assert link.is_symlink()
    assert (link / "index.html").read_text() == "nieuw"
    assert (link / "org" / "A" / "validatie.json").read_text() == "{}"


BUILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from rendement.core.files import switched_folder, write_atomic
    with switched_folder(Path(sys.argv[1])) as folder:
        (folder / "index.html").unlink()
        for i in range(1000):
            write_atomic(folder / f"pagina-{i}.html", "nieuw")
            if i == 5:
                print("bezig", flush=True)
            time.sleep(0.01)
        write_atomic(folder / "index.html", "nieuw")
    """
)


def test_a_build_killed_halfway_leaves_the_previous_site_whole(tmp_path):
    link = _site(tmp_path, {"index.html": "oud", "pagina-1.html": "oud"})
    child = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(link)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.stdout.readline().strip() == "bezig"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert (link / "index.html").read_text() == "oud"
    assert (link / "pagina-1.html").read_text() == "oud"
    assert not (link / "pagina-3.html").exists()
    # the next build starts from the served version and clears the half-built one away
    with switched_folder(link) as folder:
        write_atomic(folder / "index.html", "weer")
    assert (link / "index.html").read_text() == "weer"
    assert len([p for p in (tmp_path / ".site-versies").iterdir() if p.is_dir()]) == 2


def test_without_a_current_version_the_new_one_starts_empty(tmp_path):
    """A version left in the store while `site` itself is gone is not taken over: nothing
    says what it holds."""
    link = _site(tmp_path, {"index.html": "v1", "oud.html": "o1"})
    link.unlink()
    with switched_folder(link) as folder:
        assert list(folder.iterdir()) == []
        write_atomic(folder / "index.html", "v2")
    assert _tree(link) == {"index.html": ("file", "v2")}
