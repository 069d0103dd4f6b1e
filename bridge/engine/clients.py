"""Each thread's provider clients, and the rate budget that paces each provider.

Clients are not shared across threads (a requests session is not meant to
be). Their budgets are: ``budget_for`` gives every client of one key the same
:class:`RateBudget`, which this module plugs into the journal's rate table so
other processes on the key count the same requests, paces a slot apart and
listens for long pauses. A client without a transport (tests' fakes) is
paced by a budget of its own here, so the engine behaves the same with it.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from ..clock import Clock
from ..errors import BridgeError
from ..ratebudget import RateBudget
from .journal import Journal
from .ledger import JournalRateStore

log = logging.getLogger("bridge.engine")

PACE_FRACTION = 1.03     # API calls this many rate slots apart: a little over one, so
                         # our window and the server's never disagree by network jitter


class Clients:
    def __init__(self, settings, clock: Clock, factory: Callable, journal: Journal,
                 cancel: threading.Event, on_long_pause: Callable[[float, float], None]):
        self.settings = settings
        self.clock = clock
        self.factory = factory
        self.journal = journal
        self.cancel = cancel
        self.on_long_pause = on_long_pause
        self.rate = int(settings.rate_limit)
        self._local = threading.local()
        self._own: dict[str, RateBudget] = {}
        self.generation = 0    # bumped when the settings change: every thread builds anew
        self._shared: list[tuple[RateBudget, JournalRateStore | None]] = []
        self._lock = threading.Lock()

    def client(self, provider: str):
        """This thread's client for ``provider``; ConfigError if it has no credentials."""
        local = self._local.__dict__
        if local.get("generation") != self.generation:
            local["clients"], local["generation"] = {}, self.generation
        clients = local["clients"]
        client = clients.get(provider)
        if client is None:
            client = clients[provider] = self.factory(provider, self.settings, self.clock,
                                                      self.cancel)
        return client

    def renew(self) -> None:
        """The key, token or URL changed: each thread builds its clients again on next use."""
        self.rate = int(self.settings.rate_limit)
        self.generation += 1

    def budget(self, provider: str, client) -> tuple[RateBudget, bool]:
        """The budget pacing ``provider``, and whether the client spends its slots itself."""
        budget = getattr(getattr(client, "transport", None), "budget", None)
        with self._lock:
            if budget is None:
                budget = self._own.get(provider)
                if budget is None:
                    budget = self._own[provider] = RateBudget(self.rate, self.clock)
                    budget.pace_fraction = PACE_FRACTION
                return budget, False
            if not any(b is budget for b, _ in self._shared):
                budget.pace_fraction = PACE_FRACTION
                budget.add_listener(self.on_long_pause)
                store = None
                if budget.key_hash:  # shared with every process on this journal and key
                    store = JournalRateStore(self.journal, budget.key_hash, self.clock)
                    budget.share(store)
                self._shared.append((budget, store))
            return budget, True

    def current_rate(self) -> int:
        """Requests/minute the budgets now allow: the setting, or more the service stated."""
        with self._lock:
            budgets = [b for b, _ in self._shared] + list(self._own.values())
        return max([self.rate, *(b.per_minute for b in budgets)])

    def check_wallet(self, provider: str) -> None:
        """Best effort: adopt a higher rate limit the account reports."""
        client = self.client(provider)
        if not hasattr(client, "wallet"):
            return
        try:
            wallet = client.wallet()
        except BridgeError as exc:
            log.info("wallet check skipped: %s", exc)
            return
        if wallet.rate_limit:
            self.budget(provider, client)[0].raise_rate(wallet.rate_limit)
            self.rate = max(self.rate, int(wallet.rate_limit))

    def close(self) -> None:
        """Hand the process-wide budgets back as they were (no store, no listener of ours)."""
        with self._lock:
            for budget, store in self._shared:
                if store is not None:
                    budget.unshare(store)
                budget.remove_listener(self.on_long_pause)
            self._shared.clear()
