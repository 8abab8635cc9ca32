"""Faust's data directory never lands in the working directory: by default it lives under
the system's temporary directory, and ``CABLEROUTER_STATE_DIR`` moves it."""

from __future__ import annotations

import os
import pathlib
import tempfile

import pytest
from prometheus_client import CollectorRegistry

from cablerouter.config import Settings
from cablerouter.directory_files import load_default_directory
from cablerouter.router.app import create_app, state_directory


def test_the_default_is_under_the_temporary_directory(tmp_path: pathlib.Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    path = pathlib.Path(state_directory(Settings()))
    assert path == tmp_path / "tmp" / "cablerouter" / "cablerouter-data"
    assert path.parent.is_dir()


def test_the_setting_moves_it(tmp_path: pathlib.Path) -> None:
    settings = Settings().replace(state_dir=str(tmp_path / "state"), app_id="router-a")
    assert pathlib.Path(state_directory(settings)) == tmp_path / "state" / "router-a-data"


async def test_the_app_keeps_its_data_outside_the_working_directory(tmp_path: pathlib.Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    router = create_app(Settings(), registry=CollectorRegistry(), directory=load_default_directory())
    datadir = pathlib.Path(router.app.conf.datadir).resolve()
    assert datadir == (tmp_path / "tmp" / "cablerouter" / "cablerouter-data").resolve()
    assert not datadir.is_relative_to(work)
    assert os.listdir(work) == []
