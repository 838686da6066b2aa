"""pytest fixtures for the local Google Sheets API emulator (a plugin module).

Load it from tests/conftest.py with `pytest_plugins = ["google_fixtures"]` (tests/ on pythonpath).

- `sheets_emulator_server` (session): one emulator HTTP server on 127.0.0.1 for the whole run.
- `sheets_emulator` (function): that server, emptied before each test (spreadsheets, faults, hooks,
  counters), so tests share the port but never state.
- `gspread_client`: a real gspread Client whose HTTPClient points at the emulator (no credentials).
- `google_backend`: a factory `google_backend(tabs, **options) -> (GoogleBackend, key)` that seeds a
  spreadsheet and opens it the way the CLI would, with retries that never really sleep; the sleeps
  asked for are kept in `backend.slept`.
- `fake_service_account`: writes a service-account key file whose `token_uri` is the emulator's token
  endpoint, for tests of the whole credentials path (real google-auth, real JWT signing, no network).
- `offline` (used by `sheets_emulator`): any connection or DNS lookup beyond 127.0.0.1 fails the test.
- `google_cli`: makes the CLI's `--sheet <key or URL>` reach the emulator through the production path
  (GOOGLE_APPLICATION_CREDENTIALS -> a fake service account -> real google-auth token from the emulator
  -> gspread with the emulator's HTTPClient), retries never sleeping. `google_cli.upload(xlsx)` copies a
  fixture workbook into a new emulated spreadsheet and returns its key: the same command test can then
  run on both backends.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest
from sheets_emulator import SheetsEmulator, make_client

SERVICE_ACCOUNT_EMAIL = "handover-bot@handover-test.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def sheets_emulator_server():
    emulator = SheetsEmulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


_LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if the test tries to reach anything but this machine (no Google, ever)."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else None
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in _LOCAL_HOSTS:
            raise OSError(f"test tried to reach the network ({host}); only the emulator is allowed")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host not in _LOCAL_HOSTS:
            raise socket.gaierror(f"test tried to resolve {host}; only the emulator is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def sheets_emulator(sheets_emulator_server: SheetsEmulator, offline: None) -> SheetsEmulator:
    sheets_emulator_server.reset()
    return sheets_emulator_server


@pytest.fixture
def gspread_client(sheets_emulator: SheetsEmulator):
    return make_client(sheets_emulator)


@pytest.fixture
def google_backend(sheets_emulator: SheetsEmulator) -> Callable[..., tuple[Any, str]]:
    from handover.backends.google import GoogleBackend

    def factory(tabs: dict[str, Sequence[Sequence[Any]]] | None = None, *, title: str = "客服交接表",
                **options: Any):
        key = sheets_emulator.create_spreadsheet(title, tabs if tabs is not None else {"交接": []})
        slept: list[float] = []
        options.setdefault("client", make_client(sheets_emulator))
        options.setdefault("sleep", slept.append)
        options.setdefault("notify", lambda message: None)
        backend = GoogleBackend(key, **options)
        backend.slept = slept  # type: ignore[attr-defined]
        return backend, key

    return factory


def write_service_account(path: Path, token_uri: str, *, email: str = SERVICE_ACCOUNT_EMAIL) -> Path:
    """A service-account key file with a freshly generated RSA key, good for google-auth to sign with."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode("ascii")
    path.write_text(json.dumps({
        "type": "service_account",
        "project_id": "handover-test",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": email,
        "client_id": "100000000000000000000",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }), encoding="utf-8")
    return path


@pytest.fixture
def fake_service_account(tmp_path: Path, sheets_emulator: SheetsEmulator) -> Path:
    pytest.importorskip("cryptography", reason="google-auth needs cryptography to sign service-account JWTs")
    return write_service_account(tmp_path / "service_account.json", sheets_emulator.token_uri)


class GoogleCli:
    """What `google_cli` gives a test: the emulator, `upload(xlsx) -> key`, and the sleeps asked for."""

    def __init__(self, emulator: SheetsEmulator):
        self.emulator = emulator
        self.slept: list[float] = []

    def upload(self, workbook: Path, title: str | None = None) -> str:
        """A new emulated spreadsheet with the workbook's tabs and values (dates stay date cells)."""
        import openpyxl

        book = openpyxl.load_workbook(workbook)
        tabs = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
        return self.emulator.create_spreadsheet(title or Path(workbook).stem, tabs)

    def url(self, key: str) -> str:
        return f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"


@pytest.fixture
def google_cli(sheets_emulator: SheetsEmulator, fake_service_account: Path,
               monkeypatch: pytest.MonkeyPatch) -> GoogleCli:
    import handover.backends.google

    helper = GoogleCli(sheets_emulator)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(fake_service_account))
    monkeypatch.setattr(handover.backends.google, "HTTP_CLIENT", sheets_emulator.http_client_class)
    monkeypatch.setattr(handover.backends.google, "SLEEP", helper.slept.append)
    sheets_emulator.require_auth = True
    return helper
