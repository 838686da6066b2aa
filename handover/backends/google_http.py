"""Talking to Google: finding and loading credentials, and quota-aware calls (bounded retries with
exponential backoff and jitter, and a visible wait).

gspread 6.2.1's BackOffHTTPClient retries without end and silently; handover must tell the person at the
keyboard why it is waiting and give up after a few attempts. `Retrier.call` wraps any gspread call:
429 (quota) and 5xx answers, and dropped connections, are retried up to `max_attempts` times; a
`Retry-After` header is honoured; every wait is announced through `notify` before sleeping. Any other
error goes straight back to the caller, which turns it into a SheetError with the fix.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import sys
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

import gspread.auth
import requests
from google.auth import exceptions as auth_exceptions
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from gspread.exceptions import APIError

from ..errors import SheetError

T = TypeVar("T")

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"

Notify = Callable[[str], None]


def notify_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def is_retryable(status: int) -> bool:
    """429 Too Many Requests, 408 Request Timeout and every 5xx are worth another try."""
    return status in (408, 429) or 500 <= status <= 599


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A Retry-After header (delta-seconds or an HTTP date) in seconds, or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        seconds = (moment - (now or datetime.now(timezone.utc))).total_seconds()
    if math.isnan(seconds) or seconds < 0:
        return 0.0
    return seconds


class Retrier:
    """Runs a call, retrying it on quota and server errors.

    The n-th wait (n = 1, 2, …) is `base_delay * 2**(n-1)` plus up to one `base_delay` of random jitter,
    capped at `max_delay`; when Google sends Retry-After, that is waited instead (plus the same small
    jitter, so that a team's parallel runs do not come back in lockstep). `sleep` and `random` are
    injectable so tests never really wait.
    """

    def __init__(self, notify: Notify | None = None, *, max_attempts: int = 6, base_delay: float = 1.0,
                 max_delay: float = 64.0, sleep: Callable[[float], None] = time.sleep,
                 random: Callable[[], float] = random.random):
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.notify = notify or notify_stderr
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.random = random
        self.waits: list[float] = []  # every wait so far, for tests and the benchmark

    def delay(self, attempt: int, retry_after: float | None) -> float:
        jitter = self.random() * self.base_delay
        if retry_after is not None:
            return min(retry_after, self.max_delay * 2) + jitter
        return min(self.base_delay * 2 ** (attempt - 1) + jitter, self.max_delay)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        attempt = 1
        while True:
            try:
                return fn(*args, **kwargs)
            except APIError as error:
                status = error.response.status_code
                if not is_retryable(status):
                    raise
                if attempt >= self.max_attempts:
                    raise SheetError(_gave_up(status, attempt)) from None
                wait = self.delay(attempt, retry_after_seconds(error.response.headers.get("Retry-After")))
                reason = "限流" if status == 429 else f"暂时出错（{status}）"
            except (requests.ConnectionError, requests.Timeout, auth_exceptions.TransportError) as error:
                if attempt >= self.max_attempts:
                    raise SheetError(f"连不上 Google Sheets（{type(error).__name__}），已试 {attempt} 次："
                                     "请检查网络或代理设置后重试") from None
                wait = self.delay(attempt, None)
                reason = "连接失败"
            self.notify(f"Google Sheets {reason}，等待 {_seconds_text(wait)} 秒后重试（第 {attempt} 次）")
            self.waits.append(wait)
            self.sleep(wait)
            attempt += 1


def _seconds_text(seconds: float) -> str:
    return str(max(1, round(seconds))) if seconds >= 1 else f"{seconds:.1f}"


def _gave_up(status: int, attempts: int) -> str:
    if status == 429:
        return (f"Google Sheets 一直在限流（429），试了 {attempts} 次仍不行：每人每分钟约 60 次请求，"
                "请过一两分钟再运行")
    return f"Google Sheets 服务器一直出错（{status}），试了 {attempts} 次仍不行：请稍后再运行"


# ----------------------------------------------------------------------------------------- credentials

def find_credentials(configured: str | None, *, environ: Mapping[str, str] | None = None,
                     default_dir: Path | None = None) -> Path:
    """The credentials file to use: $GOOGLE_APPLICATION_CREDENTIALS, else `[google] credentials` from
    handover.toml (`configured`, relative to the working directory), else gspread's default
    `~/.config/gspread/service_account.json` or `authorized_user.json`. A setting that names a missing
    file is an error, not a reason to look further."""
    environ = os.environ if environ is None else environ
    from_env = (environ.get(CREDENTIALS_ENV) or "").strip()
    if from_env:
        path = Path(from_env).expanduser()
        if not path.exists():
            raise SheetError(f"环境变量 {CREDENTIALS_ENV} 指向的 Google 凭据文件不存在：{path}，"
                             "请改正路径或删掉这个变量")
        return path
    if configured and configured.strip():
        path = Path(configured.strip()).expanduser()
        if not path.exists():
            raise SheetError(f"handover.toml 里 [google] credentials 指向的 Google 凭据文件不存在：{path}，"
                             "请改正路径")
        return path
    directory = default_dir if default_dir is not None else gspread.auth.DEFAULT_CONFIG_DIR
    for name in ("service_account.json", "authorized_user.json"):
        if (directory / name).exists():
            return directory / name
    raise SheetError("没有找到 Google 凭据：请把服务账号密钥（.json）的路径写进 handover.toml 的 [google] "
                     f"credentials，或设置环境变量 {CREDENTIALS_ENV}，或把它放到 "
                     f"{directory / 'service_account.json'}")


def load_credentials(path: Path) -> tuple[Any, str | None]:
    """(google-auth credentials, the service account's email or None) from a service-account key or
    an authorized-user file. Errors name the file and the fix, never its content."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SheetError(f"找不到 Google 凭据文件 {path}：请下载服务账号密钥（.json）并改正路径") from None
    except IsADirectoryError:
        raise SheetError(f"Google 凭据路径 {path} 是一个文件夹：请写到密钥文件本身（.json）") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise SheetError(f"读不了 Google 凭据文件 {path}（{reason}）：请检查文件权限，或重新下载密钥") from None
    try:
        info = json.loads(text)
    except json.JSONDecodeError:
        info = None
    if not isinstance(info, dict):
        raise SheetError(f"Google 凭据文件 {path} 不是有效的 JSON：请重新下载服务账号密钥（.json）")
    kind = info.get("type")
    try:
        if kind == "service_account":
            creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            return creds, creds.service_account_email
        if kind == "authorized_user":
            creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
            account = info.get("account")
            return creds, account if isinstance(account, str) and account else None
    except (ValueError, KeyError, TypeError) as error:
        missing = re.search(r"missing fields? ([\w, ]+)", str(error))
        fields = sorted(name.strip() for name in missing.group(1).split(",") if name.strip()) if missing else []
        detail = f"缺少 {', '.join(fields)}" if fields else "私钥或字段无法解析"
        raise SheetError(f"Google 凭据文件 {path} 不完整或已损坏（{detail}）：请重新生成并下载密钥") from None
    if "installed" in info or "web" in info:
        raise SheetError(f"{path} 是 OAuth 客户端文件，不是登录凭据：请改用服务账号密钥，"
                         "或先用 gspread.oauth() 登录一次生成 authorized_user.json")
    raise SheetError(f"Google 凭据文件 {path} 的类型「{kind}」不认识：需要服务账号密钥（service_account）"
                     "或 authorized_user 文件")
