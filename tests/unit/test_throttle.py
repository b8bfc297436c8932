"""The failure throttle: counted per address, account and organisation, and checked before
any argon2 hash (for portal passwords and Bearer tokens alike)."""

from __future__ import annotations

import pytest

from rendement.core import tokens
from rendement.core.registry import Registry
from rendement.service.auth import Authenticator
from rendement.service.errors import ServiceError
from rendement.service.throttle import FailureThrottle, ThrottleLimits


def test_each_key_has_its_own_budget():
    t = FailureThrottle(ThrottleLimits(adres="3 per minute", account="2 per minute"))
    a = [("adres", "10.0.0.1"), ("account", "jan@x.nl")]
    assert t.wait(a) is None
    t.failed(a)
    t.failed(a)
    wait = t.wait(a)  # the account's budget is spent, the address has one left
    assert wait is not None and 1 <= wait <= 61
    other = [("adres", "10.0.0.1"), ("account", "piet@x.nl")]
    assert t.wait(other) is None
    t.failed(other)
    assert t.wait([("adres", "10.0.0.1"), ("account", "nieuw@x.nl")]) is not None
    assert t.wait([("adres", "10.0.0.2"), ("account", "nieuw@x.nl")]) is None
    t.succeeded([("account", "jan@x.nl")])  # a right password clears the account's counter
    assert t.wait([("account", "jan@x.nl")]) is None
    assert t.wait([("adres", None), ("onbekend", "x")]) is None  # unknown kinds are ignored


@pytest.fixture
def registry(tmp_path):
    path = tmp_path / "organisaties.json"
    with Registry.edit(path) as reg:
        reg.add("ORG1", "Noord")
        token = reg.issue_org_token("ORG1")[0]
    return path, token


def test_bearer_failures_are_refused_before_hashing(registry, monkeypatch):
    path, token = registry
    auth = Authenticator(path, FailureThrottle(ThrottleLimits(organisatie="3 per minute")))
    hashes = []
    real = tokens.verify
    monkeypatch.setattr(tokens, "verify", lambda h, t: hashes.append(1) or real(h, t))
    assert auth.check(token, "10.0.0.1").ident == "ORG1"  # verified once, then cached
    wrong = "ORG1." + "x" * 43
    for _ in range(3):
        assert auth.check(wrong, "10.0.0.9") is None
    assert len(hashes) == 4
    with pytest.raises(ServiceError) as refused:
        auth.check(wrong, "10.0.0.8")  # another address, same organisation
    assert refused.value.status == 429 and refused.value.details["retry_after"] >= 1
    assert "Te veel mislukte" in refused.value.message
    assert len(hashes) == 4  # no hash for the refused attempt
    assert auth.check(token, "10.0.0.1").ident == "ORG1"  # a known good token still works
    assert len(hashes) == 4
    # another organisation's id from yet another address is not affected
    assert auth.check("ORG2." + "y" * 43, "10.0.0.7") is None
    assert len(hashes) == 5
