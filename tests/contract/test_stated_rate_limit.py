"""The client paces itself by the limit the service states, not only by its cautious default.

The emulator states its own limit in ``X-RateLimit-Limit`` on every API
answer (requests per minute, as its wallet's ``rate_limit``). A client left at
the default 3 requests/minute raises its budget on the first answer, so the
first job against the emulator is not paced one request per 20 s (~40 s;
measured in real time, README "To try the add-on without an account": 10 s
at the default 10 s poll interval, 4 s with AISTUDIO_POLL_INTERVAL=1).
"""

from __future__ import annotations

from bridge.api.tencent import TencentRapidRequest
from bridge.client import client_for
from bridge.config import load_settings


def test_the_emulator_states_its_limit_on_every_api_answer(emulator):
    import requests
    answer = requests.get(f"{emulator.url}/account/user/wallet/",
                          headers={"Authorization": "Bearer test-key"}, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Limit"] == str(answer.json()["rate_limit"])
    emulator.set_rate_limit(7)
    answer = requests.get(f"{emulator.url}/account/user/wallet/",
                          headers={"Authorization": "Bearer test-key"}, timeout=10)
    assert answer.headers["X-RateLimit-Limit"] == "7"


def test_the_first_answer_raises_the_default_budget_to_the_stated_limit(emulator, fake_clock,
                                                                        tmp_path):
    settings = load_settings({"3D_AI_STUDIO_API_KEY": "test-key",
                              "3D_AI_STUDIO_API_URL": emulator.url,
                              "AISTUDIO_HOME": str(tmp_path)})
    assert settings.rate_limit == 3
    client = client_for("3daistudio", settings, clock=fake_clock)
    client.submit(TencentRapidRequest(prompt="a red armchair"))
    assert client.transport.budget.per_minute == 1000   # the emulator, unlimited, says so
    emulator.set_rate_limit(2)                          # stated lower: never lowered
    client.submit(TencentRapidRequest(prompt="a blue lamp"))
    assert client.transport.budget.per_minute == 1000
