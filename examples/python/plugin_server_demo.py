"""Runs the example plugin server (plugin_server.py) against the offline emulator and checks
every step: the merchant is sent to the authorisation link, authorises, comes back to the
callback, the plugin exchanges the code and stores the tokens in its registry (an encrypted
SQLite file in a temporary directory), the app-auth notification reaches the plugin's
application gateway (an ``alipay_isv.Gateway`` behind its WSGI adapter), verifies and is stored
before its handler runs, the gateway check is answered and signed and a tampered notification
refused, the plugin makes a delegated call for the merchant through the registry, a merchant
subscribes to the plugin in the service market (the order is stored and accepted by the
gateway's order handler, the plugin authorisation stored, the item completed and confirmed
through the registry), the merchant's revocation arrives and is recorded (the record survives a
restart), and Prometheus can scrape the plugin's counters at ``/metrics``. Exits non-zero if a
step fails. Run after building the binding (scripts/test-python.sh does both):

    python examples/python/plugin_server_demo.py
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sys
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import alipay_isv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plugin_server import PluginServer

APP_ID = "2021000000000001"


def connect(parts: urllib.parse.SplitResult) -> http.client.HTTPConnection:
    """A connection to the host and port of a loopback URL."""
    assert parts.hostname is not None, parts
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)


def get(url: str, cookie: str | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    """One GET without following redirects: the response and its body."""
    parts = urllib.parse.urlsplit(url)
    connection = connect(parts)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request("GET", target, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    return response, response.read()


def post(url: str, body: bytes) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = connect(parts)
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    connection.request("POST", parts.path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def step(text: str) -> None:
    print(f"- {text}")


def main() -> None:
    app = alipay_isv.generate_key_pair()
    alipay = alipay_isv.generate_key_pair()  # the emulator's "Alipay" key pair
    with socket.socket() as probe:  # a free port for the plugin, to give the emulator its URL
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plugin_url = f"http://127.0.0.1:{port}"

    with (
        tempfile.TemporaryDirectory() as directory,
        alipay_isv.Emulator(
            APP_ID,
            app.public_key,
            notify_url=plugin_url + "/alipay/gateway",
            alipay_private_key=alipay.private_key,
        ) as emulator,
    ):
        config = alipay_isv.IsvConfig(
            APP_ID, app.private_key, emulator.alipay_public_key, gateway=emulator.gateway_url
        )
        # A SQLite file, or a database shared by several instances: ALIPAY_ISV_REGISTRY_URL
        # (postgres://…, mysql://…) when set.
        shared = os.environ.get("ALIPAY_ISV_REGISTRY_URL")
        registry_path = shared or Path(directory) / "merchants.db"
        token_key = alipay_isv.TokenKey.generate_base64()  # a real server reads it from a secret
        plugin = PluginServer(
            config, registry_path, token_key=token_key, auth_host=emulator.base_url, port=port
        ).start()
        try:
            auth_app_id = run(emulator, plugin, alipay.private_key, app.public_key)
        finally:
            plugin.stop()
        # 9. The registry is a file: after a restart the merchant is still known, and revoked,
        #    and the order is still accepted.
        with alipay_isv.Registry(registry_path, key=token_key) as reopened:
            record = reopened.get(auth_app_id)
            assert record is not None and record.status is alipay_isv.AuthStatus.REVOKED, record
            (order,) = reopened.orders()
            assert order.status == alipay_isv.ORDER_ACCEPTED and order.version == 4, order
        step(f"after a restart the registry still holds {auth_app_id}, revoked, and the order")
    print("plugin server: every step passed")


def run(
    emulator: alipay_isv.Emulator,
    plugin: PluginServer,
    alipay_private: alipay_isv.PrivateKey,
    app_public: alipay_isv.PublicKey,
) -> str:
    """The steps against the running plugin; returns the merchant's ``auth_app_id``."""
    step(f"emulator at {emulator.base_url}, plugin at {plugin.base_url}")

    # 1. The merchant opens /alipay/authorize: a redirect to the link, the state in a cookie.
    authorize, _ = get(plugin.base_url + "/alipay/authorize")
    assert authorize.status == 302, authorize.status
    link = authorize.getheader("Location") or ""
    assert link.startswith(emulator.base_url + "/oauth2/appToAppAuth.htm?"), link
    cookie = (authorize.getheader("Set-Cookie") or "").split(";")[0]
    assert cookie.startswith("alipay_state="), cookie
    step("GET /alipay/authorize redirected to the authorisation link")

    # 2. The merchant authorises; Alipay sends them back to the callback.
    callback_url = emulator.merchant_authorizes(link)
    assert callback_url.startswith(plugin.base_url + "/alipay/callback?"), callback_url
    forged, _ = get(callback_url.replace("state=", "state=x"), cookie)
    assert forged.status == 400, "a callback with a wrong state was accepted"
    done, answer = get(callback_url, cookie)
    assert done.status == 200, done.status
    auth_app_id = answer.decode().removeprefix("authorised ").strip()
    record = plugin.registry.get(auth_app_id)
    assert record is not None and record.is_active, record
    assert record.merchant_pid and record.merchant_pid.startswith("2088"), record
    step(f"the callback was checked, the code exchanged and stored: merchant app {auth_app_id}")

    # 3. The authorisation notification reaches the application gateway and verifies.
    assert emulator.wait_for_deliveries(1, timeout=10), "no notification was delivered"
    (delivery,) = emulator.deliveries()
    assert delivery.acknowledged, delivery
    ((notification, outcome),) = plugin.ingested
    assert isinstance(notification, alipay_isv.AppAuthNotification)
    assert notification.detail.auth_app_id == auth_app_id
    # Pushed when the merchant agreed: applied if it came before the exchange, else stale.
    assert outcome in (alipay_isv.IngestOutcome.APPLIED, alipay_isv.IngestOutcome.STALE), outcome
    record = plugin.registry.get(auth_app_id)
    assert record is not None and record.is_active
    step(f"POST /alipay/gateway verified and stored the open_app_auth_notify ({outcome})")

    # 4. The gateway check, signed with the "Alipay" key, is answered with the app's signature.
    check = {"service": alipay_isv.SERVICE_CHECK, "charset": "utf-8", "sign_type": "RSA2"}
    signed = {name: value for name, value in check.items() if name != "sign_type"}
    check["sign"] = alipay_isv.Signer(alipay_private).sign(alipay_isv.sign_content(signed))
    body = urllib.parse.urlencode(check).encode()
    status, answer = post(plugin.base_url + "/alipay/gateway", body)
    xml = answer.decode()
    response = re.search(r"<response>(.*)</response>", xml)
    sign = re.search(r"<sign>(.*)</sign>", xml)
    assert status == 200 and response and sign, xml
    assert "<success>true</success>" in response.group(1), xml
    assert app_public.to_base64() in response.group(1)
    alipay_isv.Verifier(app_public).verify(response.group(1), sign.group(1))
    step("the alipay.service.check was answered, signed with the app key")
    # A notification whose content was changed after signing is refused: 400 ``fail``.
    tampered = delivery.body.replace("execute_auth", "execute_auth_")
    assert tampered != delivery.body
    status, answer = post(plugin.base_url + "/alipay/gateway", tampered.encode())
    assert (status, answer) == (400, b"fail"), (status, answer)
    assert len(plugin.ingested) == 1, "a refused notification reached a handler"
    step("a tampered notification was refused (400 fail), nothing stored")

    # 5. A delegated call for the merchant.
    versions = get_json(plugin.base_url + f"/merchants/{auth_app_id}/versions")
    assert versions["code"] == "10000" and versions["app_versions"] == ["0.0.1"], versions
    assert emulator.call_count("alipay.open.mini.version.list.query") == 1
    step(
        f"GET /merchants/{auth_app_id}/versions made the delegated call: {versions['app_versions']}"
    )

    # 6. A merchant subscribes to the plugin in the service market: the order message and the
    #    plugin authorisation reach the gateway; the order handler accepts the order.
    subscription = emulator.subscribe()
    order_id, mini_app = subscription.commodity_order_id, subscription.auth_app_id
    assert emulator.wait_for_deliveries(3, timeout=10)
    assert all(delivery.acknowledged for delivery in emulator.deliveries())
    order = plugin.registry.order(order_id)
    assert order is not None and order.status == alipay_isv.ORDER_ACCEPTED, order
    linked = plugin.registry.order_authorisation(order_id)
    assert linked is not None and linked.auth_app_id == mini_app and linked.is_active, linked
    kinds = sorted(type(notification).__name__ for notification, _ in plugin.ingested[1:])
    assert kinds == ["AppAuthNotification", "ServiceMarketOrderNotification"], kinds
    step(f"a merchant subscribed: order {order_id} stored and accepted by the order handler")
    plugin.registry.complete_order_item(order_id, mini_app_id=mini_app)
    confirmed = plugin.registry.confirm_order_item(order_id, mini_app_id=mini_app)
    assert confirmed.item_status(mini_app_id=mini_app) == alipay_isv.ITEM_DONE, confirmed
    history = [change.source for change in confirmed.history]
    assert history == ["notification", "accept", "item.complete", "item.confirm"], history
    step(f"its item was completed and confirmed on the merchant's behalf: {' → '.join(history)}")

    # 7. The merchant revokes: the cancellation arrives and is ingested; no call is made for
    #    the merchant any more.
    emulator.revoke(auth_app_id)
    assert emulator.wait_for_deliveries(4, timeout=10)
    notification, outcome = plugin.ingested[-1]
    assert isinstance(notification, alipay_isv.MessageNotification), notification
    assert notification.is_app_auth_cancelled and outcome is alipay_isv.IngestOutcome.APPLIED
    record = plugin.registry.get(auth_app_id)
    assert record is not None and record.status is alipay_isv.AuthStatus.REVOKED, record
    calls = emulator.total_calls()
    refused, _ = get(plugin.base_url + f"/merchants/{auth_app_id}/versions")
    assert refused.status == 410, refused.status
    assert emulator.total_calls() == calls, "a call was made for a revoked merchant"
    step("the cancellation arrived: the merchant is revoked in the registry, calls refused")

    # 8. Prometheus scrapes the plugin's counters.
    scraped, metrics = get(plugin.base_url + "/metrics")
    text = metrics.decode()
    assert scraped.status == 200 and "# TYPE alipay_isv_calls_total counter" in text, text
    for family in ("calls", "notifications", "revocations"):
        assert f"alipay_isv_{family}_total{{" in text, (family, text)
    method = "alipay.open.mini.version.list.query"
    delegated = [line for line in text.splitlines() if method in line]
    step(f"GET /metrics serves the counters to Prometheus, e.g. {delegated[0]}")
    return auth_app_id


def get_json(url: str) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    connection = connect(parts)
    connection.request("GET", parts.path)
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, (response.status, body)
    answer = json.loads(body)
    assert isinstance(answer, dict), answer
    return answer


if __name__ == "__main__":
    main()
