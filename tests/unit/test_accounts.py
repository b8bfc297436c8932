"""The portal's account store: one-time links, argon2 passwords, session counters, owner-only
atomic file, and the `rendement gebruiker` command."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from rendement.cli.main import main
from rendement.core.accounts import AccountError, AccountStore, normalise_email
from rendement.core.registry import Registry

PASSWORD = "een lange zin als wachtwoord"


@pytest.fixture
def path(tmp_path):
    return tmp_path / "home" / "gebruikers.json"


def _add(path, email="Jan@Welzijn-Noord.nl", **who):
    who = who or {"organisatie_id": "ORG1"}
    with AccountStore.edit(path) as store:
        return store.add(email, **who)


def test_new_account_has_no_password_until_the_link_is_used(path):
    account, code = _add(path)
    assert account.email == "jan@welzijn-noord.nl" and account.organisatie_id == "ORG1"
    assert not account.active and len(code) >= 40
    text = path.read_text("utf-8")
    assert code not in text  # only the link's hash is kept
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store = AccountStore.load(path)
    assert store.verify("jan@welzijn-noord.nl", PASSWORD) is None
    assert store.for_code(code).id == account.id
    with AccountStore.edit(path) as store:
        after = store.set_password(code, PASSWORD)
    assert after.active and after.sessie == account.sessie + 1
    text = path.read_text("utf-8")
    assert PASSWORD not in text and "$argon2id$" in text
    store = AccountStore.load(path)
    assert store.verify(" JAN@welzijn-noord.nl ", PASSWORD).id == account.id
    assert store.verify("jan@welzijn-noord.nl", PASSWORD + "x") is None
    assert store.for_code(code) is None  # used up
    with pytest.raises(AccountError, match="verlopen of al gebruikt"):
        store.set_password(code, "nog een ander wachtwoord")


def test_an_account_id_never_holds_a_number_the_audit_log_would_mask(path, monkeypatch):
    # ten random hex digits can hold nine decimal ones that pass the 11-proef; the audit log
    # masks such a number wherever it appears, so such an id would name nobody in the log
    import secrets

    drawn = iter(["941769525b", "0a1b2c3d4e"])
    real = secrets.token_hex  # temporary file names draw from it too
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(drawn) if n == 5 else real(n))
    account, _code = _add(path)
    assert account.id == "g-0a1b2c3d4e"


def test_link_expires(path):
    _, code = _add(path)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=73)
    store = AccountStore.load(path)
    assert store.for_code(code, now=later) is None
    with pytest.raises(AccountError):
        store.set_password(code, PASSWORD, now=later)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort", "minstens 12"),
        ("x" * 300, "hoogstens 256"),
        ("jan@welzijn-noord.nl", "e-mailadres"),
    ],
)
def test_password_rules(path, password, message):
    _, code = _add(path)
    with pytest.raises(AccountError, match=message):
        AccountStore.load(path).set_password(code, password)


def test_revoke_and_sign_out_end_sessions(path):
    account, code = _add(path)
    with AccountStore.edit(path) as store:
        store.set_password(code, PASSWORD)
    before = AccountStore.load(path).get(account.id).sessie
    with AccountStore.edit(path) as store:
        store.end_sessions(account.id)
    assert AccountStore.load(path).get(account.id).sessie == before + 1
    with AccountStore.edit(path) as store:
        assert store.revoke("jan@welzijn-noord.nl")
        assert not store.revoke("jan@welzijn-noord.nl")
    store = AccountStore.load(path)
    assert store.verify("jan@welzijn-noord.nl", PASSWORD) is None
    assert not store.get(account.id).active
    # a withdrawn address may get a new account; the old password never comes back
    again, _ = _add(path)
    assert again.id != account.id and not again.active


def test_refusals(path):
    _add(path)
    with pytest.raises(AccountError, match="al een account"):
        _add(path)
    for bad in ("", "geen-adres", "a@b", "twee@@x.nl", "spatie in@x.nl"):
        with pytest.raises(AccountError, match="geen geldig e-mailadres"):
            normalise_email(bad)
    with pytest.raises(AccountError, match="óf --analist"):
        _add(path, "x@y.nl", organisatie_id="ORG1", analyst=True)
    with pytest.raises(AccountError, match="Ongeldige organisatiecode"):
        _add(path, "x@y.nl", organisatie_id="org 1")
    analyst, _ = _add(path, "ana@sectorbureau.nl", analyst=True)
    assert analyst.is_analyst and analyst.organisatie_id is None
    assert AccountStore.load(path).verify("onbekend@x.nl", PASSWORD) is None


def test_cli_add_prints_a_link_and_list_shows_no_secrets(tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    with Registry.edit(home / "organisaties.json") as reg:
        reg.add("ORG1", "Welzijn Noord")
    monkeypatch.delenv("RENDEMENT_PORTAAL_ADRES", raising=False)
    args = ["gebruiker", "--home", str(home), "add", "--organisatie", "ORG1", "jan@x.nl"]
    assert main([*args, "--adres", "https://portaal.example.nl/"]) == 0
    out = capsys.readouterr()
    url = out.out.strip()
    assert url.startswith("https://portaal.example.nl/wachtwoord?code=")
    assert "eenmalige link" in out.err.lower()
    code = url.split("code=", 1)[1]
    assert AccountStore.load(home / "gebruikers.json").for_code(code).email == "jan@x.nl"
    assert main(["gebruiker", "--home", str(home), "add", "--organisatie", "ORG9", "p@x.nl"]) == 1
    assert "niet in het register" in capsys.readouterr().err
    assert main(["gebruiker", "--home", str(home), "add", "x@x.nl"]) == 2
    assert main(["gebruiker", "--home", str(home), "add", "--analist", *args[4:]]) == 2
    assert capsys.readouterr().err.count("óf --analist") == 2
    assert main(["gebruiker", "--home", str(home), "add", "--analist", "ana@x.nl"]) == 0
    assert capsys.readouterr().out.startswith("http://127.0.0.1:8000/wachtwoord?code=")
    assert main(["gebruiker", "--home", str(home), "list"]) == 0
    listing = capsys.readouterr().out
    assert "jan@x.nl" in listing and "wacht op wachtwoord" in listing and "analist" in listing
    assert main(["gebruiker", "--home", str(home), "revoke", "jan@x.nl"]) == 0
    assert "ingetrokken" in capsys.readouterr().out
    data = json.loads((home / "gebruikers.json").read_text("utf-8"))
    assert all(v["hash"] is None for v in data["gebruikers"].values())
