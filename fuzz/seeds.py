"""Writes the seed corpora of the fuzz targets from the shared test vectors (fuzz/seeds/<target>/).

Run by scripts/fuzz.sh; seeds are derived, not committed. Regression inputs found by fuzzing are
committed under fuzz/regressions/<target>/ and are seeds too.
"""

import base64
import hashlib
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
SEEDS = ROOT / "fuzz" / "seeds"


def write(target: str, data: bytes) -> None:
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def body_bytes(case: dict) -> bytes:
    if "body_base64" in case:
        return base64.b64decode(case["body_base64"])
    body = case["body"]
    return body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")


def main() -> None:
    shutil.rmtree(SEEDS, ignore_errors=True)
    for path in sorted((VECTORS / "keys").iterdir()):
        write("key_parse", path.read_bytes())
    for path in sorted((VECTORS / "certs").rglob("*")):
        if path.is_file():
            write("cert_parse", path.read_bytes())
    for case in json.loads((VECTORS / "responses.json").read_text("utf-8"))["cases"]:
        write("response_verify", body_bytes(case))
    for case in json.loads((VECTORS / "notifications.json").read_text("utf-8"))["cases"]:
        write("notification_parse", body_bytes(case))
    for query in [
        "https://isv.example.com/cb?app_id=2021000000000001&source=alipay_app_auth&app_auth_code=P2f&state=c3RhdGU%3D",
        "app_id=2021000000000001&source=alipay_wallet&scope=auth_user&auth_code=abc&state=c3RhdGU%3D",
        "?app_id=2021000000000001&app_auth_code=x&app_auth_code=y",
    ]:
        write("callback_parse", query.encode())
    for request in [
        b"POST /gateway.do?charset=utf-8&method=alipay.user.info.share HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded;charset=utf-8\r\nContent-Length: 11\r\n\r\nbiz_content",
        b"POST http://127.0.0.1:8080/gateway.do HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\na=b&c\r\n3\r\n=%E4\r\n0\r\n\r\n",
        b"GET /oauth2/appToAppAuth.htm?app_id=2021&redirect_uri=http%3A%2F%2Fx&state=s HTTP/1.0\r\n\r\n",
    ]:
        write("emulator_request", request)
    regressions = ROOT / "fuzz" / "regressions"
    if regressions.is_dir():
        for path in sorted(regressions.rglob("*")):
            if path.is_file():
                write(path.parent.name, path.read_bytes())


if __name__ == "__main__":
    main()
