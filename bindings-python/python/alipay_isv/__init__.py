"""alipay-isv: the Alipay Open Platform protocol for third-party apps (ISV) calling Alipay on
behalf of merchants, implemented once in Rust.

Keys (:class:`PrivateKey`, :class:`PublicKey`, :func:`generate_key_pair`), canonical content
(:func:`sign_content`) and RSA signatures (:class:`Signer`, :class:`Verifier`); the signed-call
protocol: the app configuration (:class:`IsvConfig`) signs requests (:class:`SignedRequest`,
emitted as an HTTP request, a page URL or form, or an order string), verifies gateway responses
(:class:`ResponseVerifier`) and application-gateway notifications
(:class:`NotificationVerifier`, typed as :class:`AppAuthNotification`,
:class:`MessageNotification`, :class:`ServiceMarketOrderNotification` (a service-market order,
:data:`SERVICEMARKET_ORDER_NOTIFY`) or :class:`OtherNotification`; answer :data:`SUCCESS_ACK`).

OpenAPI v3 (``https://openapi.alipay.com/v3/…``): :meth:`Client.execute_v3` calls any v3
operation (a JSON body, a query, the merchant's token, AES, :class:`V3File` uploads) and answers a
verified :class:`V3Response`; the typed v3 calls (:meth:`Client.exchange_app_auth_code_v3`,
:meth:`Client.query_app_auth_token_v3`, :meth:`Client.user_info_share_v3`, ...,
:meth:`Client.upload_file_v3`, a :class:`FileUpload`) answer the classic calls' types, and
:meth:`Registry.execute_v3_for` calls on a stored merchant's behalf. v3 errors are
:class:`ApiError` with ``http_status``, ``trace_id`` and ``links``. Without the client (your own
HTTP stack): :meth:`IsvConfig.prepare_v3` encodes and signs a call (a :class:`V3HttpRequest`) and
:meth:`IsvConfig.read_v3_answer` verifies and reads its answer; lower still,
:meth:`IsvConfig.v3_sign` signs a request (a :class:`V3Signature`: the ``Authorization`` header
and the others to send) and :meth:`IsvConfig.v3_verify` verifies an answer's
``alipay-signature``.

The delegated-call flow: :class:`Client` calls any API (:meth:`Client.execute`) and the typed
authorisation calls (:class:`AppAuthToken`, :class:`AppAuthTokenInfo`, :class:`UserToken`,
:class:`UserInfo`); the links (:func:`app_auth_link`, :func:`console_auth_link`,
:func:`user_consent_link`) and their callbacks (:func:`parse_app_auth_callback`,
:func:`parse_user_auth_callback`); :class:`Emulator`, an offline Alipay gateway on loopback for
tests. ``alipay_isv.aio`` has the asyncio form of the client (``from alipay_isv import aio``).

The service market (服务市场): after a merchant orders the ISV's plugin (the order message, a
:class:`ServiceMarketOrderNotification`, and the plugin authorisation, an
:class:`AppAuthNotification` whose ``is_plugin_authorisation`` is true), :class:`Client` queries
the order (:meth:`Client.query_servicemarket_order`, a :class:`ServiceMarketOrderPage` of
:class:`ServiceMarketOrderItem`, or every page through :meth:`Client.servicemarket_order_pages`,
a :class:`ServiceMarketOrderPages` iterator), accepts or rejects it, and completes, confirms or
cancels its items; :meth:`Emulator.subscribe` plays the merchant (a :class:`Subscription`).

The merchant authorisation registry: :class:`Registry` keeps the relation our app - merchant
PID - ``auth_app_id`` - ``app_auth_token`` in a SQLite file, in PostgreSQL or MySQL/MariaDB
(``Registry("postgres://…")``, shared by every instance of a backend; tokens optionally encrypted
with a :class:`TokenKey`) or in memory, ingests token answers and verified notifications
idempotently (:class:`IngestOutcome`), and hands out usable tokens (:meth:`Registry.token_for`,
refreshed exactly once ahead of expiry, through the client of the record's app) as
:class:`MerchantAuthorisation` records (:class:`AuthStatus`, :class:`AuthOrigin`); a token copied
from the open-platform console is imported with :meth:`Registry.import_token`
(:class:`TokenImport`; the emulator's console shows one as a :class:`ConsoleToken`). It keeps the
service-market orders too (:class:`OrderRecord`, :class:`OrderItemState`,
:class:`OrderStatusChange`; :data:`ORDER_PLACED` and the other statuses), and its order calls
(:meth:`Registry.accept_order`, :meth:`Registry.complete_order_item`, ...) record each move.

The application gateway: :class:`Gateway` turns a request's content type and raw body into the
exact answer (:class:`GatewayResult`), storing what the registry keeps and handing each verified
notification (:class:`GatewayDelivery`) to the handler of its kind; ``alipay_isv.gateway`` has
its ASGI (Starlette, FastAPI) and WSGI (Flask, Django) adapters (:class:`AsgiGateway`,
:class:`WsgiGateway`, built by :meth:`Gateway.asgi_app` and :meth:`Gateway.wsgi_app`).

Public-key certificate mode (公钥证书模式): give :class:`IsvConfig` ``app_cert``, ``alipay_cert``
and ``root_cert`` instead of ``alipay_public_key``; :class:`Certificate`, :class:`RootBundle`,
:func:`app_cert_sn` and :func:`alipay_root_cert_sn` read certificates; a :class:`Client`
downloads and checks an Alipay certificate it does not know (:meth:`Client.fetch_alipay_cert`),
and :meth:`ResponseVerifier.check` tells when one is needed (:class:`NeedsCertificate`).

Observability: every gateway call, notification, registry refresh and revocation is logged to
the ``logging`` loggers ``alipay_isv.call``, ``alipay_isv.notification``, ``alipay_isv.refresh``
and ``alipay_isv.revocation`` (``INFO``, ``WARNING`` on failure; the record's ``alipay``
attribute holds the fields: app_id, auth_app_id, method, outcome, code, sub_code, latency_ms,
trace_id, retries, ...), and counted (:func:`metrics_snapshot`, :func:`prometheus_metrics`).

Secrets follow one rule (:func:`secret_fields`, :func:`mask_secret`): no ``repr()``, error or
log event shows a token or a code; personal data (:func:`personal_fields`) is shown by its length
only. Every error is an :class:`AlipayError`; RSA operations and
network calls release the GIL.
"""

import logging as _logging
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from alipay_isv._native import (
    ALIPAY_CERT_DOWNLOAD_METHOD,
    DEFAULT_MAX_BODY_BYTES,
    ITEM_CANCELLED,
    ITEM_DONE,
    ITEM_TO_CONFIRM,
    ORDER_ACCEPTED,
    ORDER_PLACED,
    ORDER_REJECTED,
    SERVICE_CHECK,
    SERVICEMARKET_ORDER_NOTIFY,
    SUCCESS_ACK,
    AesKey,
    AppAuthCallback,
    AppAuthDetail,
    AppAuthNotification,
    AppAuthToken,
    AppAuthTokenInfo,
    AuthLink,
    Certificate,
    Client,
    FileUpload,
    Gateway,
    GatewayDelivery,
    GatewayResult,
    HttpRequest,
    IsvConfig,
    KeyPair,
    MerchantAuthorisation,
    MessageNotification,
    NeedsCertificate,
    NotificationVerifier,
    OrderItemState,
    OrderRecord,
    OrderStatusChange,
    OtherNotification,
    PrivateKey,
    PublicKey,
    Registry,
    ResponseVerifier,
    RetryPolicy,
    RootBundle,
    ServiceMarketOrderItem,
    ServiceMarketOrderNotification,
    ServiceMarketOrderPage,
    ServiceMarketOrderPages,
    SignedRequest,
    Signer,
    TokenImport,
    TokenKey,
    UserAuthCallback,
    UserInfo,
    UserToken,
    V3File,
    V3HttpRequest,
    V3Response,
    V3Signature,
    VerifiedResponse,
    Verifier,
    alipay_root_cert_sn,
    app_auth_link,
    app_cert_sn,
    china_timestamp_now,
    console_auth_link,
    generate_key_pair,
    generate_state,
    is_personal_field,
    is_secret_field,
    looks_like_own_key,
    mask_secret,
    metrics_snapshot,
    parse_app_auth_callback,
    parse_user_auth_callback,
    personal_fields,
    prometheus_metrics,
    reset_metrics,
    secret_fields,
    shown,
    sign_content,
    states_match,
    user_consent_link,
)
from alipay_isv.enums import ApplicationType, AuthOrigin, AuthStatus, IngestOutcome, UserScope
from alipay_isv.errors import (
    AlipayError,
    ApiError,
    ConfigError,
    ProtocolError,
    SignatureError,
    StoreError,
    TransportError,
)
from alipay_isv.gateway import AsgiGateway, WsgiGateway

__all__ = [
    "ALIPAY_CERT_DOWNLOAD_METHOD",
    "DEFAULT_MAX_BODY_BYTES",
    "ITEM_CANCELLED",
    "ITEM_DONE",
    "ITEM_TO_CONFIRM",
    "ORDER_ACCEPTED",
    "ORDER_PLACED",
    "ORDER_REJECTED",
    "SERVICEMARKET_ORDER_NOTIFY",
    "SERVICE_CHECK",
    "SUCCESS_ACK",
    "AesKey",
    "AlipayError",
    "ApiError",
    "AppAuthCallback",
    "AppAuthDetail",
    "AppAuthNotification",
    "AppAuthToken",
    "AppAuthTokenInfo",
    "ApplicationType",
    "AsgiGateway",
    "AuthLink",
    "AuthOrigin",
    "AuthStatus",
    "Certificate",
    "Client",
    "ConfigError",
    "FileUpload",
    "Gateway",
    "GatewayDelivery",
    "GatewayResult",
    "HttpRequest",
    "IngestOutcome",
    "IsvConfig",
    "KeyPair",
    "MerchantAuthorisation",
    "MessageNotification",
    "NeedsCertificate",
    "NotificationVerifier",
    "OrderItemState",
    "OrderRecord",
    "OrderStatusChange",
    "OtherNotification",
    "PrivateKey",
    "ProtocolError",
    "PublicKey",
    "Registry",
    "ResponseVerifier",
    "RetryPolicy",
    "RootBundle",
    "ServiceMarketOrderItem",
    "ServiceMarketOrderNotification",
    "ServiceMarketOrderPage",
    "ServiceMarketOrderPages",
    "SignatureError",
    "SignedRequest",
    "Signer",
    "StoreError",
    "TokenImport",
    "TokenKey",
    "TransportError",
    "UserAuthCallback",
    "UserInfo",
    "UserScope",
    "UserToken",
    "V3File",
    "V3HttpRequest",
    "V3Response",
    "V3Signature",
    "VerifiedResponse",
    "Verifier",
    "WsgiGateway",
    "alipay_root_cert_sn",
    "app_auth_link",
    "app_cert_sn",
    "china_timestamp_now",
    "console_auth_link",
    "generate_key_pair",
    "generate_state",
    "is_personal_field",
    "is_secret_field",
    "looks_like_own_key",
    "mask_secret",
    "metrics_snapshot",
    "parse_app_auth_callback",
    "parse_user_auth_callback",
    "personal_fields",
    "prometheus_metrics",
    "reset_metrics",
    "secret_fields",
    "shown",
    "sign_content",
    "states_match",
    "user_consent_link",
]

# The emulator is in every published build; a source build without the `emulator` cargo feature
# has none of its five classes.
try:
    from alipay_isv._native import ConsoleToken, Delivery, Emulator, Subscription, UploadedFile
except ImportError:  # pragma: no cover - only in a build without the emulator
    pass
else:
    __all__ += ["ConsoleToken", "Delivery", "Emulator", "Subscription", "UploadedFile"]

try:
    __version__: str = _version("alipay-isv")
    """The installed package's version (the Rust crates' version)."""
except _PackageNotFoundError:  # pragma: no cover - only when imported from a bare source tree
    __version__ = "0+unknown"

# A library logs to its loggers and leaves handlers to the application.
_logging.getLogger("alipay_isv").addHandler(_logging.NullHandler())
