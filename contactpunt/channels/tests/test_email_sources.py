"""iter_messages over .eml files, directories, mbox and Maildir made here."""

from __future__ import annotations

import hashlib
import mailbox
from pathlib import Path

import pytest

from contactpunt.channels.email.sources import UnknownSourceError, external_id, iter_messages

WITH_ID = b"From: a@b.nl\r\nMessage-ID: <m1@b.nl>\r\nSubject: een\r\n\r\nHallo\r\n"
WITHOUT_ID = b"From: c@d.nl\r\nSubject: twee\r\n\r\nDag\r\n"
NO_ID_HASH = "sha256:" + hashlib.sha256(WITHOUT_ID).hexdigest()


def test_external_id():
    assert external_id(WITH_ID) == "m1@b.nl"
    assert external_id(WITHOUT_ID) == NO_ID_HASH
    broken = b"Message-ID: kapot\r\n\r\n"
    assert external_id(broken) == "sha256:" + hashlib.sha256(broken).hexdigest()


def test_single_eml(tmp_path: Path):
    path = tmp_path / "a.eml"
    path.write_bytes(WITH_ID)
    assert list(iter_messages(path)) == [("m1@b.nl", WITH_ID)]


def test_directory_of_eml_files_in_name_order(tmp_path: Path):
    (tmp_path / "2.eml").write_bytes(WITHOUT_ID)
    (tmp_path / "1.eml").write_bytes(WITH_ID)
    (tmp_path / ".hidden.eml").write_bytes(b"x")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert list(iter_messages(tmp_path)) == [("m1@b.nl", WITH_ID), (NO_ID_HASH, WITHOUT_ID)]


def test_mbox(tmp_path: Path):
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    box.add(WITH_ID)
    box.add(WITHOUT_ID)
    box.close()
    result = list(iter_messages(path))
    assert [ident for ident, _ in result] == ["m1@b.nl", "sha256:" + hashlib.sha256(result[1][1]).hexdigest()]
    assert [raw.replace(b"\r\n", b"\n") for _, raw in result] == [
        WITH_ID.replace(b"\r\n", b"\n"),
        WITHOUT_ID.replace(b"\r\n", b"\n"),
    ]


def test_maildir(tmp_path: Path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(WITH_ID)
    box.add(WITHOUT_ID)
    assert sorted(iter_messages(tmp_path / "Maildir")) == sorted([("m1@b.nl", WITH_ID), (NO_ID_HASH, WITHOUT_ID)])


def test_missing_path(tmp_path: Path):
    with pytest.raises(UnknownSourceError):
        list(iter_messages(tmp_path / "nope"))
