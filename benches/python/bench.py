# ruff: noqa: RUF001 -- the table prints multiplication and division signs on purpose
"""alipay-isv (Python binding, release build) against the Python peers, interleaved in one run.

Run it through ``benches/python/run.sh``, which installs the pinned peers and our release wheel
into a throwaway venv. Peers (issue 7):

* ``alipay-sdk-python`` (official): pure-Python ``rsa``; it re-parses the PEM key on every call,
  which is what its users pay.
* ``python-alipay-sdk`` (community): pycryptodomex; keys parsed once in ``AliPay(...)``.
* ``cryptography`` with the keys parsed once, plus the few lines of Python a user writes around it
  (canonicalisation, extraction of the response node).

Operations (each implementation through its real path, or the closest public function):

1. sign a request: 10 parameters (~600-byte canonical content) -> canonical content + signature;
   and the full client path to an order string.
2. verify a ~2 KB gateway response body: extract the node, verify, parse the node.
3. verify a payment notification: form parameters -> V1 content -> verify.
4. scaling: the same sign / response verification from 2 threads against 1.
5. call overhead: ``sign_content`` of the 10 parameters, and a property getter, in ns per call.

Every measurement is a short time slot; each round runs every slot once, rotating the order of
the implementations, and the table shows the median over the rounds. Progress goes to stderr,
the markdown table to stdout. Exits non-zero if any implementation fails its sanity check.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

# The official SDK (alipay.aop.*) and the community SDK (alipay.AliPay) share the `alipay` package.
from alipay import AliPay
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.constant.CommonConstants import THREAD_LOCAL
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.domain.AlipayTradeCreateModel import AlipayTradeCreateModel
from alipay.aop.api.request.AlipayTradeCreateRequest import AlipayTradeCreateRequest
from alipay.aop.api.util.SignatureUtils import get_sign_content, sign_with_rsa2, verify_with_rsa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import alipay_isv

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"

OURS, OFFICIAL, COMMUNITY, CRYPTO = "ours", "official", "community", "cryptography"
IMPLS = (OURS, OFFICIAL, COMMUNITY, CRYPTO)
HEADERS = {
    OURS: "alipay-isv",
    OFFICIAL: f"alipay-sdk-python {version('alipay-sdk-python')}",
    COMMUNITY: f"python-alipay-sdk {version('python-alipay-sdk')}",
    CRYPTO: f"cryptography {version('cryptography')} (cached key)",
}


def key_text(name: str) -> str:
    return (VECTORS / "keys" / name).read_text()


# ------------------------------------------------------------------ fixtures

APP_ID = "2021000000000001"
METHOD = "alipay.trade.create"
NOTIFY_URL = "https://isv.example.com/alipay/notify?tenant=42&source=bench"
APP_AUTH_TOKEN = "202611BBa1b2c3d4e5f6a7b8c9d0e1f2X21"
TIMESTAMP = "2026-11-21 23:04:05"
# Keys sorted: the official SDK serialises its models with sorted keys, so all contents agree.
BIZ = {
    "body": "坚果礼盒 ×2, 茶叶礼盒 ×1; gift wrapping requested",
    "buyer_id": "2088102000000001",
    "operator_id": "cashier-0007",
    "out_trade_no": "20261121150405000001",
    "product_code": "FACE_TO_FACE_PAYMENT",
    "seller_id": "2088102000000009",
    "store_id": "NJ_001",
    "subject": "年货大礼包（坚果礼盒）",
    "timeout_express": "90m",
    "total_amount": "88.88",
}
BIZ_JSON = json.dumps(BIZ, ensure_ascii=False, separators=(",", ":"))
PARAMS = {
    "app_id": APP_ID,
    "method": METHOD,
    "format": "JSON",
    "charset": "utf-8",
    "sign_type": "RSA2",
    "timestamp": TIMESTAMP,
    "version": "1.0",
    "notify_url": NOTIFY_URL,
    "app_auth_token": APP_AUTH_TOKEN,
    "biz_content": BIZ_JSON,
}

# Keys: PEM for ours, pycryptodomex and cryptography; one-line Base64 for the official SDK
# (PKCS#1 private, SPKI public: the only shapes it loads).
APP_PRIVATE_PEM = key_text("app_2048_pkcs8.pem")
APP_PUBLIC_PEM = key_text("app_2048_public.pem")
ALIPAY_PUBLIC_PEM = key_text("alipay_2048_public.pem")
APP_PRIVATE_PKCS1_B64 = key_text("app_2048_pkcs1.txt").strip()
ALIPAY_PUBLIC_B64 = key_text("alipay_2048_public.txt").strip()
ALIPAY_PRIVATE = serialization.load_pem_private_key(
    key_text("alipay_2048_pkcs8.pem").encode(), None
)

RESPONSE_ROOT = "alipay_trade_query_response"
RESPONSE_METHOD = "alipay.trade.query"


def alipay_sign(data: bytes) -> str:
    """Signs as the gateway does (fixtures only, not timed)."""
    raw = ALIPAY_PRIVATE.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def response_body() -> bytes:
    """A ~2 KB signed alipay.trade.query success body."""
    node = {
        "code": "10000",
        "msg": "Success",
        "trade_no": "2026112122001412345678901234",
        "out_trade_no": "20261121150405000001",
        "buyer_logon_id": "159****5620",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "88.88",
        "receipt_amount": "88.88",
        "buyer_pay_amount": "88.88",
        "point_amount": "0.00",
        "invoice_amount": "88.88",
        "send_pay_date": "2026-11-21 15:04:20",
        "store_id": "NJ_001",
        "terminal_id": "NJ_T_001",
        "store_name": "证大五道口店",
        "buyer_user_id": "2088102000000001",
        "buyer_user_type": "PRIVATE",
        "subject": "年货大礼包（坚果礼盒）",
        "body": "坚果礼盒 ×2, 茶叶礼盒 ×1; gift wrapping requested",
        "fund_bill_list": [
            {"fund_channel": channel, "amount": "22.22", "real_amount": "22.22"}
            for channel in ("ALIPAYACCOUNT", "PCREDIT", "MCARD", "DISCOUNT")
        ],
        "voucher_detail_list": [
            {
                "id": f"2026112100073002039000002D{index:02d}",
                "name": f"年货节满减券 {index}",
                "type": "ALIPAY_BIZ_VOUCHER",
                "amount": "5.00",
                "merchant_contribute": "2.50",
                "other_contribute": "2.50",
                "memo": '学生专享优惠, 限年货节使用 \\ "quoted" {braces}',
            }
            for index in range(3)
        ],
        "ext_infos": '{"action":"pay","is_pro":"true"}',
    }
    text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
    sign = alipay_sign(text.encode())
    return f'{{"{RESPONSE_ROOT}":{text},"sign":"{sign}"}}'.encode()


def notification_params() -> dict[str, str]:
    """The form parameters of the trade_status_sync notification vector (RSA2, V1 content)."""
    cases = json.loads((VECTORS / "notifications.json").read_text())["cases"]
    case = next(c for c in cases if c["name"] == "trade_status_sync_v1_sign_contains_plus")
    return dict(urllib.parse.parse_qsl(case["body"], keep_blank_values=True, strict_parsing=True))


BODY = response_body()
NOTIFICATION = notification_params()


def tampered_body() -> bytes:
    bad = BODY.replace(b'"total_amount":"88.88"', b'"total_amount":"98.88"', 1)
    assert bad != BODY
    return bad


def tampered_notification() -> dict[str, str]:
    bad = dict(NOTIFICATION)
    bad["total_amount"] = "98.88"
    assert bad != NOTIFICATION
    return bad


# ------------------------------------------------------------------ ours

OUR_PRIVATE = alipay_isv.PrivateKey(APP_PRIVATE_PEM)
OUR_ALIPAY_PUBLIC = alipay_isv.PublicKey(ALIPAY_PUBLIC_PEM)
OUR_SIGNER = alipay_isv.Signer(OUR_PRIVATE)
OUR_CONFIG = alipay_isv.IsvConfig(APP_ID, OUR_PRIVATE, OUR_ALIPAY_PUBLIC)
OUR_RESPONSES = OUR_CONFIG.response_verifier()
OUR_NOTIFICATIONS = OUR_CONFIG.notification_verifier()


def ours_sign(params: dict[str, str] = PARAMS) -> str:
    return OUR_SIGNER.sign_params(params)[1]


def ours_request() -> str:
    signed = OUR_CONFIG.sign_request(
        METHOD, biz_content=BIZ, app_auth_token=APP_AUTH_TOKEN, notify_url=NOTIFY_URL
    )
    return signed.order_string()


def ours_response(body: bytes = BODY) -> dict:
    return OUR_RESPONSES.verify(RESPONSE_METHOD, body).fields


def ours_notification(params: dict[str, str] = NOTIFICATION) -> object:
    return OUR_NOTIFICATIONS.verify_params(params)


# ------------------------------------------------------------------ official alipay-sdk-python


def official_client() -> DefaultAlipayClient:
    config = AlipayClientConfig()
    config.app_id = APP_ID
    config.app_private_key = APP_PRIVATE_PKCS1_B64
    config.alipay_public_key = ALIPAY_PUBLIC_B64
    config.charset = "utf-8"
    config.sign_type = "RSA2"
    config.format = "JSON"
    return DefaultAlipayClient(config)


OFFICIAL_CLIENT = official_client()
OFFICIAL_MODEL = AlipayTradeCreateModel.from_alipay_dict(BIZ)
# The verification step of DefaultAlipayClient.execute (name-mangled private method).
official_parse_response = OFFICIAL_CLIENT._DefaultAlipayClient__parse_response


def official_thread_setup() -> None:
    """What execute() sets per call on the SDK's thread-local before parsing a response."""
    THREAD_LOCAL.uuid = "bench"
    THREAD_LOCAL.logger = None


def official_sign(params: dict[str, str] = PARAMS) -> str:
    # What DefaultAlipayClient does per request: canonicalise, sign with the Base64 key text.
    return sign_with_rsa2(APP_PRIVATE_PKCS1_B64, get_sign_content(params), "utf-8")


def official_request() -> str:
    request = AlipayTradeCreateRequest(biz_model=OFFICIAL_MODEL)
    request.notify_url = NOTIFY_URL
    request.add_other_text_param("app_auth_token", APP_AUTH_TOKEN)
    return OFFICIAL_CLIENT.sdk_execute(request)


def official_response(body: bytes = BODY) -> dict:
    # execute() returns the verified node text; callers then parse it.
    return json.loads(official_parse_response(body))


def official_notification(params: dict[str, str] = NOTIFICATION) -> bool:
    # No notification API: the documented recipe with the SDK's public functions.
    data = dict(params)
    sign = data.pop("sign")
    data.pop("sign_type", None)
    return verify_with_rsa(ALIPAY_PUBLIC_B64, get_sign_content(data).encode("utf-8"), sign)


# ------------------------------------------------------------------ community python-alipay-sdk

COMMUNITY_CLIENT = AliPay(
    appid=APP_ID,
    app_private_key_string=APP_PRIVATE_PEM,
    alipay_public_key_string=ALIPAY_PUBLIC_PEM,
    sign_type="RSA2",
)


def community_sign(params: dict[str, str] = PARAMS) -> str:
    # sign_data: sort, join, sign, then URL-encode into the signed string (its only entry point).
    return COMMUNITY_CLIENT.sign_data(dict(params))


def community_request() -> str:
    return COMMUNITY_CLIENT.client_api(
        METHOD, biz_content=dict(BIZ), notify_url=NOTIFY_URL, app_auth_token=APP_AUTH_TOKEN
    )


def community_response(body: bytes = BODY) -> dict:
    # verified_sync_response without the HTTP call: decode, then its verify-and-return step.
    return COMMUNITY_CLIENT._verify_and_return_sync_response(body.decode(), RESPONSE_ROOT)


def community_notification(params: dict[str, str] = NOTIFICATION) -> bool:
    # Its documented recipe: data = form.to_dict(); sign = data.pop("sign"); verify(data, sign).
    data = dict(params)
    sign = data.pop("sign")
    return COMMUNITY_CLIENT.verify(data, sign)


# ------------------------------------------------------------------ cryptography, keys cached

CRYPTO_PRIVATE = serialization.load_pem_private_key(APP_PRIVATE_PEM.encode(), None)
CRYPTO_ALIPAY_PUBLIC = serialization.load_pem_public_key(ALIPAY_PUBLIC_PEM.encode())
PKCS1V15 = padding.PKCS1v15()
SHA256 = hashes.SHA256()
SIGN_MARK = b',"sign":"'
ROOT_MARK = f'"{RESPONSE_ROOT}"'.encode()


def plain_content(params: dict[str, str], drop: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v and k not in drop)


def crypto_sign(params: dict[str, str] = PARAMS) -> str:
    content = plain_content(params)
    return base64.b64encode(CRYPTO_PRIVATE.sign(content.encode(), PKCS1V15, SHA256)).decode()


def crypto_response(body: bytes = BODY) -> dict:
    # Hand-rolled extraction for a well-formed body: node between the root's '{' and ',"sign"'.
    start = body.index(b"{", body.index(ROOT_MARK))
    end = body.rindex(SIGN_MARK)
    node = body[start:end]
    sign_start = end + len(SIGN_MARK)
    sign = body[sign_start : body.index(b'"', sign_start)]
    CRYPTO_ALIPAY_PUBLIC.verify(base64.b64decode(sign), node, PKCS1V15, SHA256)
    return json.loads(node)


def crypto_notification(params: dict[str, str] = NOTIFICATION) -> None:
    content = plain_content(params, ("sign", "sign_type"))
    CRYPTO_ALIPAY_PUBLIC.verify(
        base64.b64decode(params["sign"]), content.encode(), PKCS1V15, SHA256
    )


# ------------------------------------------------------------------ what is measured

OPERATIONS: dict[str, dict[str, Callable[[], object]]] = {
    "sign": {
        OURS: ours_sign,
        OFFICIAL: official_sign,
        COMMUNITY: community_sign,
        CRYPTO: crypto_sign,
    },
    "request": {OURS: ours_request, OFFICIAL: official_request, COMMUNITY: community_request},
    "response": {
        OURS: ours_response,
        OFFICIAL: official_response,
        COMMUNITY: community_response,
        CRYPTO: crypto_response,
    },
    "notification": {
        OURS: ours_notification,
        OFFICIAL: official_notification,
        COMMUNITY: community_notification,
        CRYPTO: crypto_notification,
    },
}
OPERATION_LABELS = {
    "sign": "sign request: 10 params → content + sign (ops/s)",
    "request": "sign request, full client path → order string (ops/s)",
    "response": "verify 2 KB response: extract + verify + parse (ops/s)",
    "notification": "verify notification: form params → V1 content → verify (ops/s)",
}
SCALED = ("sign", "response")

# Call overhead: canonicalisation of the 10 parameters, and a property getter (ns per call).
CALLS: dict[str, dict[str, Callable[[], object]]] = {
    "sign_content": {
        OURS: lambda: alipay_isv.sign_content(PARAMS),
        OFFICIAL: lambda: get_sign_content(PARAMS),
        COMMUNITY: lambda: "&".join(f"{k}={v}" for k, v in COMMUNITY_CLIENT._ordered_data(PARAMS)),
        CRYPTO: lambda: plain_content(PARAMS),
    },
    "getter": {OURS: lambda: OUR_SIGNER.sign_type},
}
CALL_LABELS = {
    "sign_content": "canonicalise 10 params: `sign_content` or equivalent (ns/call)",
    "getter": "no-op-sized call: `Signer.sign_type` getter (ns/call)",
}


# ------------------------------------------------------------------ sanity


def expect_rejected(name: str, fn: Callable[[], object]) -> None:
    try:
        result = fn()
    except Exception:  # every peer raises its own type; any raise is a rejection
        return
    if result is not False:
        raise SystemExit(f"sanity: {name} accepted a tampered input")


def sanity() -> None:
    """Every implementation computes the same thing, and really checks signatures."""
    content = alipay_isv.sign_content(PARAMS)
    if not 500 <= len(content.encode()) <= 700:
        raise SystemExit(f"sanity: canonical content is {len(content.encode())} bytes, not ~600")
    for impl, fn in CALLS["sign_content"].items():
        if fn() != content:
            raise SystemExit(f"sanity: {impl} canonical content differs")
    signs = {
        OURS: ours_sign(),
        OFFICIAL: official_sign(),
        COMMUNITY: urllib.parse.parse_qs(community_sign())["sign"][0],
        CRYPTO: crypto_sign(),
    }
    if len(set(signs.values())) != 1:
        raise SystemExit(f"sanity: signatures differ: {signs}")
    alipay_isv.Verifier(OUR_PRIVATE.public_key()).verify(content, signs[OURS])
    for impl, fn in OPERATIONS["request"].items():
        # Each client signs its own parameters (the community SDK escapes non-ASCII JSON and
        # sends no `format`): the signature must verify over them.
        params = dict(urllib.parse.parse_qsl(fn(), keep_blank_values=True, strict_parsing=True))
        sign = params.pop("sign")
        if len(params) < 9 or params["app_auth_token"] != APP_AUTH_TOKEN:
            raise SystemExit(f"sanity: {impl} request parameters: {sorted(params)}")
        alipay_isv.Verifier(OUR_PRIVATE.public_key()).verify(plain_content(params), sign)
    if not 1800 <= len(BODY) <= 2300:
        raise SystemExit(f"sanity: response body is {len(BODY)} bytes, not ~2 KB")
    official_thread_setup()
    fields = [fn() for fn in OPERATIONS["response"].values()]
    if (
        any(f != fields[0] for f in fields)
        or fields[0]["trade_no"] != "2026112122001412345678901234"
    ):
        raise SystemExit("sanity: verified response fields differ")
    bad = tampered_body()
    for impl, fn in OPERATIONS["response"].items():
        expect_rejected(f"{impl} response", lambda fn=fn: fn(bad))
    results = {impl: fn() for impl, fn in OPERATIONS["notification"].items()}
    if results[OFFICIAL] is not True or results[COMMUNITY] is not True:
        raise SystemExit(f"sanity: notification not verified: {results}")
    bad_params = tampered_notification()
    for impl, fn in OPERATIONS["notification"].items():
        expect_rejected(f"{impl} notification", lambda fn=fn: fn(bad_params))


# ------------------------------------------------------------------ measuring


def batch_size(fn: Callable[[], object], target: float = 0.002) -> int:
    """Calls per timer check so that a batch lasts about `target` seconds."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start >= target or n >= 1 << 20:
            return n
        n *= 2


def run_for(fn: Callable[[], object], batch: int, seconds: float) -> tuple[int, float]:
    start = time.perf_counter()
    deadline = start + seconds
    count = 0
    while True:
        for _ in range(batch):
            fn()
        count += batch
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start


def ops_per_second(fn: Callable[[], object], batch: int, seconds: float, threads: int = 1) -> float:
    if threads == 1:
        count, elapsed = run_for(fn, batch, seconds)
        return count / elapsed
    counts = [0] * threads
    barrier = threading.Barrier(threads + 1)
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        official_thread_setup()
        barrier.wait()
        try:
            counts[index] = run_for(fn, batch, seconds)[0]
        except BaseException as error:
            failures.append(error)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for worker_thread in workers:
        worker_thread.start()
    barrier.wait()
    start = time.perf_counter()
    for worker_thread in workers:
        worker_thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise failures[0]
    return sum(counts) / elapsed


def rotated(items: list, shift: int) -> list:
    shift %= len(items)
    return items[shift:] + items[:shift]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="measurement budget")
    parser.add_argument("--rounds", type=int, default=0, help="rounds (default: 3 or 5)")
    parser.add_argument("--command", default="python benches/python/bench.py")
    args = parser.parse_args()
    args.load_before = load_average()
    rounds = args.rounds or (5 if args.seconds >= 100 else 3)

    installed = Path(alipay_isv.__file__).resolve()
    if not str(installed).startswith(sys.prefix):
        raise SystemExit(f"alipay_isv imported from {installed}, not from the bench venv")

    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    official_thread_setup()
    sanity()
    log("sanity checks passed")

    slots = sum(len(impls) for impls in OPERATIONS.values())
    slots += 2 * sum(len(OPERATIONS[op]) for op in SCALED)
    slots += sum(len(impls) for impls in CALLS.values())
    slot = args.seconds / (rounds * slots)
    log(f"{rounds} rounds x {slots} slots of {slot:.2f}s")

    batches: dict[tuple[str, str], int] = {}
    for group in (OPERATIONS, CALLS):
        for op, impls in group.items():
            for impl, fn in impls.items():
                batches[op, impl] = batch_size(fn)
                run_for(fn, batches[op, impl], min(0.2, slot / 4))  # warm-up

    rates: dict[tuple[str, str], list[float]] = defaultdict(list)
    scaling: dict[tuple[str, str], list[float]] = defaultdict(list)
    for round_index in range(rounds):
        started = time.perf_counter()
        for op, impls in OPERATIONS.items():
            for impl in rotated(list(impls), round_index):
                rates[op, impl].append(ops_per_second(impls[impl], batches[op, impl], slot))
        for op in SCALED:
            for impl in rotated(list(OPERATIONS[op]), round_index):
                fn, batch = OPERATIONS[op][impl], batches[op, impl]
                order = (1, 2) if round_index % 2 == 0 else (2, 1)
                measured = {t: ops_per_second(fn, batch, slot, threads=t) for t in order}
                scaling[op, impl].append(measured[2] / measured[1])
        for op, impls in CALLS.items():
            for impl in rotated(list(impls), round_index):
                rate = ops_per_second(impls[impl], batches[op, impl], slot)
                rates[op, impl].append(1e9 / rate)  # ns per call
        log(f"round {round_index + 1}/{rounds}: {time.perf_counter() - started:.1f}s")

    report(args, rounds, slot, rates, scaling)


# ------------------------------------------------------------------ the table


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), {platform.system()}, Python {platform.python_version()}"
    )


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def commit() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def fmt_ratio(value: float) -> str:
    return f"{value:.1f}×" if value < 100 else f"{value:,.0f}×"


def report(args, rounds, slot, rates, scaling) -> None:
    median = {key: statistics.median(values) for key, values in rates.items()}
    scale = {key: statistics.median(values) for key, values in scaling.items()}
    peers = (OFFICIAL, COMMUNITY, CRYPTO)
    short = {OFFICIAL: "official", COMMUNITY: "community", CRYPTO: "cryptography"}

    print(f"machine: {machine()}; RSA-2048 (SHA256withRSA)")
    print(f"load average (1 min) before / after: {args.load_before} / {load_average()}")
    print(f"alipay-isv: commit {commit()}, release wheel (pyo3 abi3)")
    print(f"command: `{args.command}`; {rounds} interleaved rounds of {slot:.2f}s slots, medians")
    print()
    print(
        "| operation | "
        + " | ".join(HEADERS[i] for i in IMPLS)
        + " | "
        + " | ".join(f"ours ÷ {short[p]}" for p in peers)
        + " |"
    )
    print("|---|" + "---:|" * (len(IMPLS) + len(peers)))

    def row(label: str, cells: list[str], ratios: list[str]) -> None:
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

    for op, label in OPERATION_LABELS.items():
        cells = [fmt_rate(median[op, i]) if (op, i) in median else "—" for i in IMPLS]
        ratios = [
            fmt_ratio(median[op, OURS] / median[op, p]) if (op, p) in median else "—" for p in peers
        ]
        row(label, cells, ratios)
    for op in SCALED:
        cells = [fmt_ratio(scale[op, i]) if (op, i) in scale else "—" for i in IMPLS]
        row(f"2 threads ÷ 1 thread, {op} (speed-up)", cells, ["—"] * len(peers))
    for op, label in CALL_LABELS.items():
        cells = [f"{median[op, i]:,.0f}" if (op, i) in median else "—" for i in IMPLS]
        ratios = [
            fmt_ratio(median[op, p] / median[op, OURS]) if (op, p) in median else "—" for p in peers
        ]
        row(label, cells, ratios)
    print()
    print(
        "Ratios are ours ÷ peer for ops/s and peer ÷ ours for ns/call: above 1× means "
        "alipay-isv is faster."
    )
    spread = max((max(v) / min(v) - 1, key) for key, v in rates.items() if min(v) > 0)
    (op, impl) = spread[1]
    print(f"Largest round-to-round spread of one cell: {spread[0]:.0%} ({op}, {impl}).")
    print()

    def ratio(op: str, peer: str) -> float:
        return median[op, OURS] / median[op, peer]

    targets = [
        (
            "request signing ≥ 50× alipay-sdk-python",
            min(ratio("sign", OFFICIAL), ratio("request", OFFICIAL)) >= 50,
            f"{fmt_ratio(ratio('sign', OFFICIAL))} (content + sign), "
            f"{fmt_ratio(ratio('request', OFFICIAL))} (full client path)",
        ),
        (
            "request signing ≥ 3× python-alipay-sdk",
            min(ratio("sign", COMMUNITY), ratio("request", COMMUNITY)) >= 3,
            f"{fmt_ratio(ratio('sign', COMMUNITY))} (content + sign), "
            f"{fmt_ratio(ratio('request', COMMUNITY))} (full client path)",
        ),
        (
            "response verification ≥ 10× alipay-sdk-python",
            ratio("response", OFFICIAL) >= 10,
            fmt_ratio(ratio("response", OFFICIAL)),
        ),
        (
            "response verification ≥ 10× python-alipay-sdk",
            ratio("response", COMMUNITY) >= 10,
            fmt_ratio(ratio("response", COMMUNITY)),
        ),
        (
            "2 threads ≥ 1.7× one thread",
            min(scale["sign", OURS], scale["response", OURS]) >= 1.7,
            f"sign {fmt_ratio(scale['sign', OURS])}, verify {fmt_ratio(scale['response', OURS])}",
        ),
        (
            "FFI overhead < 2 µs per call",
            median["sign_content", OURS] < 2000,
            f"`sign_content` of 10 params {median['sign_content', OURS]:,.0f} ns, "
            f"getter {median['getter', OURS]:,.0f} ns",
        ),
    ]
    print("Targets (issue 7, Python):")
    print()
    for name, met, measured in targets:
        print(f"- {name}: {measured} — {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
