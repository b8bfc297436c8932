"""The organisation register: ids, atomic owner-only writes, argon2 hashes only, tokens."""

from __future__ import annotations

import json
import threading

import pytest

from rendement.cli.main import main
from rendement.core import tokens
from rendement.core.registry import Registry, RegistryError
from rendement.service.auth import Authenticator, bearer


@pytest.fixture
def path(tmp_path):
    return tmp_path / "home" / "organisaties.json"


def test_add_issue_and_file_holds_only_hashes(path):
    with Registry.edit(path) as reg:
        reg.add("ORG001", "Welzijn Noord")
        token, replaced = reg.issue_org_token("ORG001")
    assert not replaced
    assert token.startswith("ORG001.") and len(token) > 40
    text = path.read_text("utf-8")
    assert token not in text and token.split(".", 1)[1] not in text
    data = json.loads(text)
    assert data["organisaties"]["ORG001"]["naam"] == "Welzijn Noord"
    assert data["organisaties"]["ORG001"]["token"]["hash"].startswith("$argon2id$")
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".organisaties.json.")
            and not p.name.endswith(".lock")] == []  # fmt: skip
    assert tokens.verify(Registry.load(path).org_token_hash("ORG001"), token)


@pytest.mark.parametrize(
    "org", ["org1", "A", "../ORG", "ORG 1", "ORG.1", "-ORG", "X" * 33, "ORG/1", "", "ÖRG1"]
)
def test_unsafe_organisation_ids_are_refused(path, org):
    with pytest.raises(RegistryError, match="Ongeldige organisatiecode"):
        with Registry.edit(path) as reg:
            reg.add(org, "Naam")
    assert not path.exists()


def test_duplicates_missing_names_and_unknown_orgs(path):
    with Registry.edit(path) as reg:
        reg.add("ORG1", "Een")
    with pytest.raises(RegistryError, match="al in het register"):
        with Registry.edit(path) as reg:
            reg.add("ORG1", "Nog eens")
    with pytest.raises(RegistryError, match="naam"):
        with Registry.edit(path) as reg:
            reg.add("ORG2", "  ")
    with pytest.raises(RegistryError, match="niet in het register"):
        with Registry.edit(path) as reg:
            reg.issue_org_token("ORG9")
    assert Registry.load(path).organisations() == {"ORG1": "Een"}


def test_new_token_replaces_and_revoke_withdraws(path):
    with Registry.edit(path) as reg:
        reg.add("ORG1", "Een")
        first, _ = reg.issue_org_token("ORG1")
        second, replaced = reg.issue_org_token("ORG1")
    assert replaced and first != second
    stored = Registry.load(path).org_token_hash("ORG1")
    assert not tokens.verify(stored, first) and tokens.verify(stored, second)
    with Registry.edit(path) as reg:
        assert reg.revoke_org_token("ORG1") is True
        assert reg.revoke_org_token("ORG1") is False
    reg = Registry.load(path)
    assert reg.org_token_hash("ORG1") is None
    assert reg.data["organisaties"]["ORG1"]["token"]["ingetrokken"]


def test_parallel_edits_lose_nothing(path):
    def add(i: int) -> None:
        with Registry.edit(path) as reg:
            reg.add(f"ORG{i:03d}", f"Organisatie {i}")

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(Registry.load(path).organisations()) == 20


def test_token_shapes():
    org = tokens.new_org_token("ORG-7_A")
    assert tokens.parse(org) == tokens.TokenId("organisatie", "ORG-7_A")
    analyst = tokens.new_analyst_token("1a2b3c4d")
    assert tokens.parse(analyst) == tokens.TokenId("analist", "1a2b3c4d")
    for bad in (None, "", "ORG1", "ORG1.", "org1." + "x" * 43, "../x." + "x" * 43,
                "ORG1.kort", "ORG1." + "x" * 43 + ".y", "analist.zz.x" + "x" * 43,
                "ORG1." + "x" * 200):  # fmt: skip
        assert tokens.parse(bad) is None
    assert bearer("Bearer abc") == "abc" and bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None and bearer(None) is None and bearer("Bearer ") is None


def test_authenticator_follows_the_file(path):
    with Registry.edit(path) as reg:
        reg.add("ORG1", "Een")
        token, _ = reg.issue_org_token("ORG1")
        _, analyst = reg.issue_analyst_token("analist")
    auth = Authenticator(path)
    assert auth.check(token).ident == "ORG1"
    assert auth.check(token).ident == "ORG1"  # from the in-memory cache
    assert auth.check(analyst).kind == "analist"
    assert auth.check(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    with Registry.edit(path) as reg:
        reg.revoke_org_token("ORG1")
    assert auth.check(token) is None
    assert Authenticator(path.with_name("ontbreekt.json")).check(token) is None


def test_cli_org_and_token(tmp_path, capsys):
    home = str(tmp_path / "h")
    assert main(["org", "add", "ORG1", "--naam", "Welzijn Noord", "--home", home]) == 0
    assert main(["org", "--home", home, "add", "org1", "--naam", "x"]) == 1
    capsys.readouterr()
    assert main(["token", "new", "ORG1", "--home", home]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert tokens.parse(token).ident == "ORG1"
    assert "één keer" in out.err
    assert token not in (tmp_path / "h" / "organisaties.json").read_text()
    assert main(["token", "--home", home, "new", "--analist", "--omschrijving", "Jan"]) == 0
    analyst = capsys.readouterr().out.strip()
    key = tokens.parse(analyst).ident
    assert main(["token", "--home", home, "list"]) == 0
    assert key in capsys.readouterr().out
    assert main(["token", "--home", home, "revoke", "--analist", key]) == 0
    assert main(["token", "--home", home, "revoke", "ORG1"]) == 0
    assert "ingetrokken" in capsys.readouterr().out
    assert main(["token", "--home", home, "new"]) == 2
    assert main(["org", "--home", home, "list"]) == 0
    assert "geen token" in capsys.readouterr().out
