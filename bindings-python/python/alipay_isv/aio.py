"""The asyncio form of :class:`alipay_isv.Client`: the same calls as coroutines.

Each coroutine runs the blocking native call on a worker thread (``asyncio.to_thread``, or the
executor you pass); the native call releases the GIL for its whole duration, so calls truly run in
parallel and the event loop never blocks::

    from alipay_isv import aio

    client = aio.Client(config, read_timeout=10)
    tokens = await client.exchange_app_auth_code(callback.app_auth_code)
    answer = await client.execute("alipay.open.mini.version.list.query", {},
                                  app_auth_token=tokens[0].app_auth_token)

The default executor of the loop bounds how many calls are in flight at once; pass your own
``concurrent.futures.ThreadPoolExecutor`` to choose.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any, TypeVar

from alipay_isv._native import (
    AppAuthToken,
    AppAuthTokenInfo,
    IsvConfig,
    RetryPolicy,
    UserInfo,
    UserToken,
    VerifiedResponse,
)
from alipay_isv._native import Client as BlockingClient

__all__ = ["BlockingClient", "Client"]

T = TypeVar("T")


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
        if self._executor is None:
            return await asyncio.to_thread(call, *args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

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
        )

    async def exchange_app_auth_code(self, app_auth_code: str) -> list[AppAuthToken]:
        """See :meth:`alipay_isv.Client.exchange_app_auth_code`."""
        return await self._run(self._blocking.exchange_app_auth_code, app_auth_code)

    async def refresh_app_auth_token(self, app_refresh_token: str) -> list[AppAuthToken]:
        """See :meth:`alipay_isv.Client.refresh_app_auth_token`."""
        return await self._run(self._blocking.refresh_app_auth_token, app_refresh_token)

    async def query_app_auth_token(self, app_auth_token: str) -> AppAuthTokenInfo:
        """See :meth:`alipay_isv.Client.query_app_auth_token`."""
        return await self._run(self._blocking.query_app_auth_token, app_auth_token)

    async def exchange_user_auth_code(
        self, auth_code: str, app_auth_token: str | None = None
    ) -> UserToken:
        """See :meth:`alipay_isv.Client.exchange_user_auth_code`."""
        return await self._run(self._blocking.exchange_user_auth_code, auth_code, app_auth_token)

    async def refresh_user_token(
        self, refresh_token: str, app_auth_token: str | None = None
    ) -> UserToken:
        """See :meth:`alipay_isv.Client.refresh_user_token`."""
        return await self._run(self._blocking.refresh_user_token, refresh_token, app_auth_token)

    async def user_info_share(
        self, access_token: str, app_auth_token: str | None = None
    ) -> UserInfo:
        """See :meth:`alipay_isv.Client.user_info_share`."""
        return await self._run(self._blocking.user_info_share, access_token, app_auth_token)

    def __repr__(self) -> str:
        return f"aio.{self._blocking!r}"
