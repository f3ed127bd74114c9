"""The asyncio forms of :class:`alipay_isv.Client` and :class:`alipay_isv.Registry`: the same
calls as coroutines.

Each coroutine runs the blocking native call on a worker thread (``asyncio.to_thread``, or the
executor you pass); the native call releases the GIL for its whole duration, so calls truly run in
parallel and the event loop never blocks::

    from alipay_isv import aio

    client = aio.Client(config, read_timeout=10)
    tokens = await client.exchange_app_auth_code(callback.app_auth_code)
    answer = await client.execute("alipay.open.mini.version.list.query", {},
                                  app_auth_token=tokens[0].app_auth_token)
    answer = await client.execute_v3("POST", "/v3/alipay/open/mini/version/list/query",
                                     body={}, app_auth_token=tokens[0].app_auth_token)
    await client.accept_servicemarket_order(order.commodity_order_id)
    async for page in client.servicemarket_order_pages(order.commodity_order_id):
        ...

    registry = aio.Registry("merchants.db", client=client)  # merchants kept in SQLite
    # or shared by every instance: aio.Registry(os.environ["REGISTRY_URL"], client=client)
    # with REGISTRY_URL=postgres://isv:…@db:5432/registry?sslmode=verify-full&sslrootcert=…
    await registry.ingest_tokens(tokens)
    merchant = tokens[0].auth_app_id
    answer = await registry.execute_for(merchant, "alipay.open.mini.version.list.query", {})
    answer = await registry.execute_v3_for(merchant, "POST",
                                           "/v3/alipay/open/mini/version/list/query", body={})
    order = await registry.accept_order(commodity_order_id)  # a stored service-market order

The default executor of the loop bounds how many calls are in flight at once; pass your own
``concurrent.futures.ThreadPoolExecutor`` to choose.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
import inspect
import os
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, TypeVar

from alipay_isv._native import (
    AppAuthNotification,
    AppAuthToken,
    AppAuthTokenInfo,
    FileUpload,
    IsvConfig,
    MerchantAuthorisation,
    MessageNotification,
    OrderRecord,
    OtherNotification,
    RetryPolicy,
    ServiceMarketOrderNotification,
    ServiceMarketOrderPage,
    TokenImport,
    TokenKey,
    UserInfo,
    UserToken,
    V3File,
    V3Response,
    VerifiedResponse,
)
from alipay_isv._native import Client as BlockingClient
from alipay_isv._native import Registry as BlockingRegistry
from alipay_isv.enums import IngestOutcome

if TYPE_CHECKING:  # type aliases of the stub only
    from alipay_isv._native import V3Method

__all__ = ["BlockingClient", "BlockingRegistry", "Client", "Registry"]

T = TypeVar("T")


async def _run_on(
    executor: Executor | None, call: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Runs a blocking native call on ``executor`` (``asyncio.to_thread`` when ``None``)."""
    if executor is None:
        return await asyncio.to_thread(call, *args, **kwargs)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(call, *args, **kwargs))


class Client:
    """Calls the Alipay gateway on behalf of merchants, without blocking the event loop.

    Immutable and safe to share between tasks and threads; it wraps one
    :class:`alipay_isv.Client` (see :attr:`blocking`), whose connection pool every call shares.
    """

    __slots__ = ("_blocking", "_executor")

    def __init__(
        self,
        config: IsvConfig,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_response_bytes: int = 10485760,
        proxy: str | None = None,
        max_idle_connections_per_host: int = 16,
        executor: Executor | None = None,
    ) -> None:
        """A client of ``config`` on the default HTTP transport.

        Args:
            config: the ISV app's configuration.
            connect_timeout: seconds to resolve, connect and finish the TLS handshake.
            read_timeout: seconds to send the request and receive the whole answer.
            max_response_bytes: answers larger than this are refused.
            proxy: an ``http://host:port`` proxy; ``None`` reads ``HTTPS_PROXY`` and friends.
            max_idle_connections_per_host: idle keep-alive connections kept per host.
            executor: where the blocking calls run; ``None`` uses ``asyncio.to_thread``.

        Raises:
            ConfigError: a zero or negative timeout, a malformed proxy URL.
        """
        self._blocking = BlockingClient(
            config,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_response_bytes=max_response_bytes,
            proxy=proxy,
            max_idle_connections_per_host=max_idle_connections_per_host,
        )
        self._executor = executor

    @classmethod
    def wrap(cls, blocking: BlockingClient, *, executor: Executor | None = None) -> Client:
        """An asyncio face of an existing blocking client (sharing its connection pool)."""
        client = cls.__new__(cls)
        client._blocking = blocking
        client._executor = executor
        return client

    @property
    def blocking(self) -> BlockingClient:
        """The blocking :class:`alipay_isv.Client` the coroutines run."""
        return self._blocking

    @property
    def config(self) -> IsvConfig:
        """The configuration the client signs and verifies with."""
        return self._blocking.config

    async def _run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await _run_on(self._executor, call, *args, **kwargs)

    async def execute(
        self,
        method: str,
        biz_content: dict[str, Any] | str | None = None,
        *,
        app_auth_token: str | None = None,
        auth_token: str | None = None,
        notify_url: str | None = None,
        return_url: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        encrypt: bool = False,
        retry: RetryPolicy | None = None,
        auth_app_id: str | None = None,
    ) -> VerifiedResponse:
        """Calls any Alipay API; see :meth:`alipay_isv.Client.execute`."""
        return await self._run(
            self._blocking.execute,
            method,
            biz_content,
            app_auth_token=app_auth_token,
            auth_token=auth_token,
            notify_url=notify_url,
            return_url=return_url,
            extra_params=extra_params,
            encrypt=encrypt,
            retry=retry,
            auth_app_id=auth_app_id,
        )

    async def exchange_app_auth_code(self, app_auth_code: str) -> list[AppAuthToken]:
        """The coroutine form of :meth:`alipay_isv.Client.exchange_app_auth_code`."""
        return await self._run(self._blocking.exchange_app_auth_code, app_auth_code)

    async def refresh_app_auth_token(self, app_refresh_token: str) -> list[AppAuthToken]:
        """The coroutine form of :meth:`alipay_isv.Client.refresh_app_auth_token`."""
        return await self._run(self._blocking.refresh_app_auth_token, app_refresh_token)

    async def query_app_auth_token(self, app_auth_token: str) -> AppAuthTokenInfo:
        """The coroutine form of :meth:`alipay_isv.Client.query_app_auth_token`."""
        return await self._run(self._blocking.query_app_auth_token, app_auth_token)

    async def exchange_user_auth_code(
        self, auth_code: str, app_auth_token: str | None = None
    ) -> UserToken:
        """The coroutine form of :meth:`alipay_isv.Client.exchange_user_auth_code`."""
        return await self._run(self._blocking.exchange_user_auth_code, auth_code, app_auth_token)

    async def refresh_user_token(
        self, refresh_token: str, app_auth_token: str | None = None
    ) -> UserToken:
        """The coroutine form of :meth:`alipay_isv.Client.refresh_user_token`."""
        return await self._run(self._blocking.refresh_user_token, refresh_token, app_auth_token)

    async def user_info_share(
        self, access_token: str, app_auth_token: str | None = None
    ) -> UserInfo:
        """The coroutine form of :meth:`alipay_isv.Client.user_info_share`."""
        return await self._run(self._blocking.user_info_share, access_token, app_auth_token)

    async def execute_v3(
        self,
        method: V3Method,
        path: str,
        *,
        query: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: dict[str, Any] | str | None = None,
        app_auth_token: str | None = None,
        encrypt: bool = False,
        files: Sequence[V3File] | None = None,
        request_id: str | None = None,
    ) -> V3Response:
        """Calls any OpenAPI v3 operation; see :meth:`alipay_isv.Client.execute_v3`."""
        return await self._run(
            self._blocking.execute_v3,
            method,
            path,
            query=query,
            body=body,
            app_auth_token=app_auth_token,
            encrypt=encrypt,
            files=files,
            request_id=request_id,
        )

    async def exchange_app_auth_code_v3(self, app_auth_code: str) -> list[AppAuthToken]:
        """The coroutine form of :meth:`alipay_isv.Client.exchange_app_auth_code_v3`."""
        return await self._run(self._blocking.exchange_app_auth_code_v3, app_auth_code)

    async def refresh_app_auth_token_v3(self, app_refresh_token: str) -> list[AppAuthToken]:
        """The coroutine form of :meth:`alipay_isv.Client.refresh_app_auth_token_v3`."""
        return await self._run(self._blocking.refresh_app_auth_token_v3, app_refresh_token)

    async def query_app_auth_token_v3(self, app_auth_token: str) -> AppAuthTokenInfo:
        """The coroutine form of :meth:`alipay_isv.Client.query_app_auth_token_v3`."""
        return await self._run(self._blocking.query_app_auth_token_v3, app_auth_token)

    async def exchange_user_auth_code_v3(
        self, auth_code: str, app_auth_token: str | None = None
    ) -> UserToken:
        """The coroutine form of :meth:`alipay_isv.Client.exchange_user_auth_code_v3`."""
        return await self._run(self._blocking.exchange_user_auth_code_v3, auth_code, app_auth_token)

    async def refresh_user_token_v3(
        self, refresh_token: str, app_auth_token: str | None = None
    ) -> UserToken:
        """The coroutine form of :meth:`alipay_isv.Client.refresh_user_token_v3`."""
        return await self._run(self._blocking.refresh_user_token_v3, refresh_token, app_auth_token)

    async def user_info_share_v3(
        self, access_token: str, app_auth_token: str | None = None
    ) -> UserInfo:
        """The coroutine form of :meth:`alipay_isv.Client.user_info_share_v3`."""
        return await self._run(self._blocking.user_info_share_v3, access_token, app_auth_token)

    async def upload_file_v3(
        self, biz_code: str, file: V3File, app_auth_token: str | None = None
    ) -> FileUpload:
        """The coroutine form of :meth:`alipay_isv.Client.upload_file_v3`."""
        return await self._run(self._blocking.upload_file_v3, biz_code, file, app_auth_token)

    async def fetch_alipay_cert(self, alipay_cert_sn: str) -> bool:
        """The coroutine form of :meth:`alipay_isv.Client.fetch_alipay_cert`."""
        return await self._run(self._blocking.fetch_alipay_cert, alipay_cert_sn)

    async def verify_notification(
        self, body: bytes | str
    ) -> (
        AppAuthNotification
        | MessageNotification
        | ServiceMarketOrderNotification
        | OtherNotification
    ):
        """The coroutine form of :meth:`alipay_isv.Client.verify_notification`."""
        return await self._run(self._blocking.verify_notification, body)

    async def query_servicemarket_order(
        self, commodity_order_id: str, page: int = 1
    ) -> ServiceMarketOrderPage:
        """The coroutine form of :meth:`alipay_isv.Client.query_servicemarket_order`."""
        return await self._run(self._blocking.query_servicemarket_order, commodity_order_id, page)

    async def servicemarket_order_pages(
        self, commodity_order_id: str
    ) -> AsyncIterator[ServiceMarketOrderPage]:
        """Every page of a service-market order as an asynchronous iterator
        (``async for page in client.servicemarket_order_pages(order_id)``): each page is fetched
        on a worker thread as the iteration advances, until the last page; an error raises from
        the iteration and ends it. See :meth:`alipay_isv.Client.servicemarket_order_pages`."""
        pages = self._blocking.servicemarket_order_pages(commodity_order_id)
        while (page := await self._run(next, pages, None)) is not None:
            yield page

    async def accept_servicemarket_order(self, commodity_order_id: str) -> None:
        """The coroutine form of :meth:`alipay_isv.Client.accept_servicemarket_order`."""
        await self._run(self._blocking.accept_servicemarket_order, commodity_order_id)

    async def reject_servicemarket_order(self, commodity_order_id: str, reason: str) -> None:
        """The coroutine form of :meth:`alipay_isv.Client.reject_servicemarket_order`."""
        await self._run(self._blocking.reject_servicemarket_order, commodity_order_id, reason)

    async def complete_servicemarket_order_item(
        self,
        commodity_order_id: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> None:
        """The coroutine form of :meth:`alipay_isv.Client.complete_servicemarket_order_item`."""
        await self._run(
            self._blocking.complete_servicemarket_order_item,
            commodity_order_id,
            mini_app_id=mini_app_id,
            shop_id=shop_id,
        )

    async def confirm_servicemarket_order_item(
        self,
        commodity_order_id: str,
        app_auth_token: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> None:
        """The coroutine form of :meth:`alipay_isv.Client.confirm_servicemarket_order_item`."""
        await self._run(
            self._blocking.confirm_servicemarket_order_item,
            commodity_order_id,
            app_auth_token,
            mini_app_id=mini_app_id,
            shop_id=shop_id,
        )

    async def cancel_servicemarket_order_item(
        self,
        commodity_order_id: str,
        reason: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> None:
        """The coroutine form of :meth:`alipay_isv.Client.cancel_servicemarket_order_item`."""
        await self._run(
            self._blocking.cancel_servicemarket_order_item,
            commodity_order_id,
            reason,
            mini_app_id=mini_app_id,
            shop_id=shop_id,
        )

    def __repr__(self) -> str:
        return f"aio.{self._blocking!r}"


class Registry:
    """The merchant authorisation registry without blocking the event loop: every call that
    touches the store or the network is a coroutine run on a worker thread.

    Safe to share between tasks and threads; it wraps one :class:`alipay_isv.Registry` (see
    :attr:`blocking`). Opening happens in the constructor (a short, synchronous disk access or
    connection to the database server).
    """

    __slots__ = ("_blocking", "_executor")

    def __init__(
        self,
        path_or_url: str | os.PathLike[str],
        *,
        key: TokenKey | str | bytes | None = None,
        client: Client | BlockingClient | None = None,
        clients: Sequence[Client | BlockingClient] = (),
        refresh_margin: float = 600.0,
        token_cache_ttl: float | None = None,
        executor: Executor | None = None,
    ) -> None:
        """Opens the registry at ``path_or_url`` — a SQLite file (created if missing),
        ``sqlite://PATH``, ``postgres://USER:PASSWORD@HOST:PORT/DATABASE?…``,
        ``mysql://USER:PASSWORD@HOST:PORT/DATABASE?…`` (TLS with ``sslmode`` / ``ssl-mode``,
        ``pool_max_size``, ``pool_timeout``, ``connect_timeout``) or ``memory:``; see
        :class:`alipay_isv.Registry`. Opening is synchronous (a short disk access, or connecting
        to the database server: up to its ``connect_timeout``); the password is in no error and
        no ``repr()``.

        Args:
            path_or_url: the SQLite file or the URL.
            key: encrypt stored tokens with this key (:class:`alipay_isv.TokenKey`, its Base64
                text, or 32 bytes).
            client: the default app's client (asyncio or blocking): tokens are refreshed and
                calls made with it.
            clients: the clients (asyncio or blocking) of our other apps (plugins).
            refresh_margin: refresh a token when it expires within this many seconds.
            token_cache_ttl: serve tokens from a cache in this instance whose entries live at most
                this many seconds; ``None``: no cache. A write through this registry evicts at
                once; another instance's revocation or refresh is seen within this bound (see
                :class:`alipay_isv.Registry`).
            executor: where the blocking calls run; ``None`` uses ``asyncio.to_thread``.

        Raises:
            StoreError: a foreign or corrupt file or database, an unreachable database server or
                a refused login, or the wrong key.
            ConfigError: a URL that is not valid, a malformed key or margin, or a
                ``token_cache_ttl`` that is zero, negative or not finite.
        """
        self._blocking = BlockingRegistry(
            path_or_url,
            key=key,
            client=_blocking_client(client),
            clients=_blocking_clients(clients),
            refresh_margin=refresh_margin,
            token_cache_ttl=token_cache_ttl,
        )
        self._executor = executor

    @classmethod
    def in_memory(
        cls,
        *,
        client: Client | BlockingClient | None = None,
        clients: Sequence[Client | BlockingClient] = (),
        refresh_margin: float = 600.0,
        executor: Executor | None = None,
    ) -> Registry:
        """A registry in memory; arguments as for the constructor."""
        blocking = BlockingRegistry.in_memory(
            client=_blocking_client(client),
            clients=_blocking_clients(clients),
            refresh_margin=refresh_margin,
        )
        return cls.wrap(blocking, executor=executor)

    @classmethod
    def wrap(cls, blocking: BlockingRegistry, *, executor: Executor | None = None) -> Registry:
        """An asyncio face of an existing blocking registry (sharing it)."""
        registry = cls.__new__(cls)
        registry._blocking = blocking
        registry._executor = executor
        return registry

    @property
    def blocking(self) -> BlockingRegistry:
        """The blocking :class:`alipay_isv.Registry` the coroutines run."""
        return self._blocking

    @property
    def default_app_id(self) -> str:
        """The same as :attr:`alipay_isv.Registry.default_app_id`."""
        return self._blocking.default_app_id

    @property
    def token_cache_ttl(self) -> float | None:
        """The same as :attr:`alipay_isv.Registry.token_cache_ttl`."""
        return self._blocking.token_cache_ttl

    async def _run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await _run_on(self._executor, call, *args, **kwargs)

    async def ingest_tokens(self, tokens: Iterable[AppAuthToken]) -> builtins.list[IngestOutcome]:
        """The coroutine form of :meth:`alipay_isv.Registry.ingest_tokens`."""
        return await self._run(self._blocking.ingest_tokens, list(tokens))

    async def ingest_refreshed_tokens(
        self, tokens: Iterable[AppAuthToken]
    ) -> builtins.list[IngestOutcome]:
        """The coroutine form of :meth:`alipay_isv.Registry.ingest_refreshed_tokens`."""
        return await self._run(self._blocking.ingest_refreshed_tokens, list(tokens))

    async def ingest_notification(
        self,
        notification: AppAuthNotification
        | MessageNotification
        | ServiceMarketOrderNotification
        | OtherNotification,
    ) -> IngestOutcome:
        """The coroutine form of :meth:`alipay_isv.Registry.ingest_notification`."""
        return await self._run(self._blocking.ingest_notification, notification)

    async def ingest_query(self, app_auth_token: str, info: AppAuthTokenInfo) -> IngestOutcome:
        """The coroutine form of :meth:`alipay_isv.Registry.ingest_query`."""
        return await self._run(self._blocking.ingest_query, app_auth_token, info)

    async def import_token(
        self, app_auth_token: str, app_refresh_token: str | None = None
    ) -> TokenImport:
        """The coroutine form of :meth:`alipay_isv.Registry.import_token`."""
        return await self._run(self._blocking.import_token, app_auth_token, app_refresh_token)

    async def get(self, auth_app_id: str) -> MerchantAuthorisation | None:
        """The coroutine form of :meth:`alipay_isv.Registry.get`."""
        return await self._run(self._blocking.get, auth_app_id)

    async def get_for_app(self, app_id: str, auth_app_id: str) -> MerchantAuthorisation | None:
        """The coroutine form of :meth:`alipay_isv.Registry.get_for_app`."""
        return await self._run(self._blocking.get_for_app, app_id, auth_app_id)

    async def list(self) -> builtins.list[MerchantAuthorisation]:
        """The coroutine form of :meth:`alipay_isv.Registry.list`."""
        return await self._run(self._blocking.list)

    async def by_merchant(self, merchant_pid: str) -> builtins.list[MerchantAuthorisation]:
        """The coroutine form of :meth:`alipay_isv.Registry.by_merchant`."""
        return await self._run(self._blocking.by_merchant, merchant_pid)

    async def revoke(self, auth_app_id: str) -> MerchantAuthorisation:
        """The coroutine form of :meth:`alipay_isv.Registry.revoke`."""
        return await self._run(self._blocking.revoke, auth_app_id)

    async def token_for(self, auth_app_id: str) -> str:
        """The coroutine form of :meth:`alipay_isv.Registry.token_for`."""
        return await self._run(self._blocking.token_for, auth_app_id)

    async def token_for_app(self, app_id: str, auth_app_id: str) -> str:
        """The coroutine form of :meth:`alipay_isv.Registry.token_for_app`."""
        return await self._run(self._blocking.token_for_app, app_id, auth_app_id)

    async def token_for_merchant(self, merchant_pid: str) -> str:
        """The coroutine form of :meth:`alipay_isv.Registry.token_for_merchant`."""
        return await self._run(self._blocking.token_for_merchant, merchant_pid)

    async def execute_for(
        self,
        auth_app_id: str,
        method: str,
        biz_content: dict[str, Any] | str | None = None,
        *,
        auth_token: str | None = None,
        notify_url: str | None = None,
        return_url: str | None = None,
        extra_params: Mapping[str, str] | None = None,
        encrypt: bool = False,
        retry: RetryPolicy | None = None,
    ) -> VerifiedResponse:
        """The coroutine form of :meth:`alipay_isv.Registry.execute_for`."""
        return await self._run(
            self._blocking.execute_for,
            auth_app_id,
            method,
            biz_content,
            auth_token=auth_token,
            notify_url=notify_url,
            return_url=return_url,
            extra_params=extra_params,
            encrypt=encrypt,
            retry=retry,
        )

    async def execute_v3_for(
        self,
        auth_app_id: str,
        method: V3Method,
        path: str,
        *,
        query: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: dict[str, Any] | str | None = None,
        encrypt: bool = False,
        files: Sequence[V3File] | None = None,
        request_id: str | None = None,
    ) -> V3Response:
        """The coroutine form of :meth:`alipay_isv.Registry.execute_v3_for`."""
        return await self._run(
            self._blocking.execute_v3_for,
            auth_app_id,
            method,
            path,
            query=query,
            body=body,
            encrypt=encrypt,
            files=files,
            request_id=request_id,
        )

    async def order(self, commodity_order_id: str) -> OrderRecord | None:
        """The coroutine form of :meth:`alipay_isv.Registry.order`."""
        return await self._run(self._blocking.order, commodity_order_id)

    async def orders(self) -> builtins.list[OrderRecord]:
        """The coroutine form of :meth:`alipay_isv.Registry.orders`."""
        return await self._run(self._blocking.orders)

    async def order_authorisation(self, commodity_order_id: str) -> MerchantAuthorisation | None:
        """The coroutine form of :meth:`alipay_isv.Registry.order_authorisation`."""
        return await self._run(self._blocking.order_authorisation, commodity_order_id)

    async def accept_order(self, commodity_order_id: str) -> OrderRecord:
        """The coroutine form of :meth:`alipay_isv.Registry.accept_order`."""
        return await self._run(self._blocking.accept_order, commodity_order_id)

    async def reject_order(self, commodity_order_id: str, reason: str) -> OrderRecord:
        """The coroutine form of :meth:`alipay_isv.Registry.reject_order`."""
        return await self._run(self._blocking.reject_order, commodity_order_id, reason)

    async def complete_order_item(
        self, commodity_order_id: str, *, mini_app_id: str | None = None, shop_id: str | None = None
    ) -> OrderRecord:
        """The coroutine form of :meth:`alipay_isv.Registry.complete_order_item`."""
        return await self._run(
            self._blocking.complete_order_item,
            commodity_order_id,
            mini_app_id=mini_app_id,
            shop_id=shop_id,
        )

    async def confirm_order_item(
        self, commodity_order_id: str, *, mini_app_id: str | None = None, shop_id: str | None = None
    ) -> OrderRecord:
        """The coroutine form of :meth:`alipay_isv.Registry.confirm_order_item`."""
        return await self._run(
            self._blocking.confirm_order_item,
            commodity_order_id,
            mini_app_id=mini_app_id,
            shop_id=shop_id,
        )

    async def cancel_order_item(
        self,
        commodity_order_id: str,
        reason: str,
        *,
        mini_app_id: str | None = None,
        shop_id: str | None = None,
    ) -> OrderRecord:
        """The coroutine form of :meth:`alipay_isv.Registry.cancel_order_item`."""
        return await self._run(
            self._blocking.cancel_order_item,
            commodity_order_id,
            reason,
            mini_app_id=mini_app_id,
            shop_id=shop_id,
        )

    async def refresh_order(self, commodity_order_id: str) -> OrderRecord:
        """The coroutine form of :meth:`alipay_isv.Registry.refresh_order`."""
        return await self._run(self._blocking.refresh_order, commodity_order_id)

    async def close(self) -> None:
        """The coroutine form of :meth:`alipay_isv.Registry.close`."""
        await self._run(self._blocking.close)

    def __repr__(self) -> str:
        return f"aio.{self._blocking!r}"


def _blocking_client(client: Client | BlockingClient | None) -> BlockingClient | None:
    """The blocking client behind ``client``."""
    return client.blocking if isinstance(client, Client) else client


def _blocking_clients(clients: Sequence[Client | BlockingClient]) -> builtins.list[BlockingClient]:
    """The blocking clients behind ``clients``."""
    return [client.blocking if isinstance(client, Client) else client for client in clients]


# The text signature CPython may leave at the head of a builtin's ``__doc__``: ``name(params)``,
# a ``--`` line and a blank line.
_TEXT_SIGNATURE = re.compile(r"\A[\w.]+\([^\n]*\)\n--\n\n")


def _complete_docs(cls: type, blocking: type, public: str) -> None:
    """Gives every coroutine and property of ``cls`` that refers to its blocking twin
    (``:meth:`alipay_isv.<public>.<name>```) the twin's whole docstring after its own line, so
    that ``help()`` shows the arguments, the answer and the errors here too."""
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        twin = getattr(blocking, name, None)
        twin_doc = inspect.cleandoc(_TEXT_SIGNATURE.sub("", getattr(twin, "__doc__", None) or ""))
        target = member.fget if isinstance(member, property) else member
        own = inspect.cleandoc(getattr(target, "__doc__", None) or "")
        if not twin_doc or f"alipay_isv.{public}.{name}`" not in own:
            continue
        doc = f"{own}\n\n{twin_doc}"
        if isinstance(member, property):
            setattr(cls, name, property(member.fget, member.fset, member.fdel, doc))
        else:
            target.__doc__ = doc


_complete_docs(Client, BlockingClient, "Client")
_complete_docs(Registry, BlockingRegistry, "Registry")
