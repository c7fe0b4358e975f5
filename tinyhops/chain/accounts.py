"""Which account signs: THOPS_PRIVATE_KEY when set (the original CLI's variable), an Ape account alias,
or on a local chain one of Ape's test accounts."""

from __future__ import annotations

import os
from typing import Any

from ape_accounts.accounts import ApeSigner

from tinyhops.errors import AccountError

PRIVATE_KEY_VARIABLE = "THOPS_PRIVATE_KEY"
# On a local chain: who deploys and submits by default, and who runs the local resource provider.
USER_TEST_ACCOUNT = 0
PROVIDER_TEST_ACCOUNT = 9


class PrivateKeyAccount(ApeSigner):
    """Signs with a raw private key held in memory only (never written to disk)."""

    @property
    def alias(self) -> str:
        return PRIVATE_KEY_VARIABLE


def from_private_key(key: str) -> PrivateKeyAccount:
    text = key.strip()
    if not text.startswith("0x"):
        text = "0x" + text
    if len(text) != 66:
        raise AccountError(f"{PRIVATE_KEY_VARIABLE} must be 32 bytes of hex (64 hex digits)")
    try:
        int(text, 16)
    except ValueError:
        raise AccountError(f"{PRIVATE_KEY_VARIABLE} is not hexadecimal") from None
    return PrivateKeyAccount(private_key=text)


def signer(alias: str | None, local: bool, test_index: int = USER_TEST_ACCOUNT) -> Any:
    """The account to sign with: THOPS_PRIVATE_KEY, else `alias` (an Ape account or TEST::N), else on a
    local chain test account `test_index`."""
    from ape import accounts

    key = os.environ.get(PRIVATE_KEY_VARIABLE)
    if key:
        return from_private_key(key)
    if alias:
        if alias.upper().startswith("TEST::"):
            return accounts.test_accounts[int(alias.split("::", 1)[1])]
        try:
            return accounts.load(alias)
        except Exception as exc:  # noqa: BLE001 - Ape raises several kinds for an unknown alias
            raise AccountError(f"no Ape account named {alias!r} ({exc})") from None
    if local:
        return accounts.test_accounts[test_index]
    raise AccountError(f"no account: set {PRIVATE_KEY_VARIABLE} or pass --account ALIAS")
