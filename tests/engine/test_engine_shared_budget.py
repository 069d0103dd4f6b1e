"""One rate budget per key across processes: six engines on one journal and key, no 429.

The emulator allows 3 requests per 60 service seconds for the key, at 60x
real time (3 per real second); six separate processes each submit, watch
and download one job. Each counts every other's requests through the
journal's rate table, so the service never has to refuse one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.clock import FakeClock
from bridge.engine.journal import Journal
from bridge.engine.ledger import JournalRateStore
from bridge.ratebudget import POLL, RateBudget

ROOT = Path(__file__).resolve().parents[2]
SCALE = 60.0

CHILD = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from bridge.api.tencent import TencentRapidRequest
from bridge.clock import ScaledClock
from bridge.config import Settings
from bridge.engine import JobEngine
url, home, scale, n = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
settings = Settings(api_key="test-key", api_url=url, home=home, rate_limit=3)
engine = JobEngine(settings, home=home, clock=ScaledClock(scale)).start()
job = engine.submit(TencentRapidRequest(prompt="chair " + n), output_dir=home / ("out" + n))
[record] = engine.wait([job], timeout=3600)
engine.shutdown()
print(json.dumps({"state": record.state, "task": record.task_id, "error": record.error}))
"""


SERVICE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from bridge.emulator import Emulator
with Emulator(api_key="test-key", time_scale=float(sys.argv[2]), rate_limit=3,
              credits=100_000) as emu:
    print(emu.url, flush=True)
    sys.stdin.readline()
    print(json.dumps({"accepted": [a.task_id for a in emu.accepted],
                      "log": [[r.method, r.path, r.status] for r in emu.log]}), flush=True)
"""


@pytest.fixture
def limited_service():
    """The emulator in a process of its own, so nothing else in the test process delays
    the moment it counts a request (the rate window is 1 s real at this scale)."""
    proc = subprocess.Popen([sys.executable, "-c", SERVICE, str(ROOT), str(SCALE)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()

    def report() -> dict:
        out, _ = proc.communicate("report\n", timeout=30)
        return json.loads(out.strip().splitlines()[-1])
    yield url, report
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_six_processes_on_one_key_share_one_budget_and_hear_no_429(limited_service, tmp_path):
    url, report = limited_service
    home = tmp_path / "home"
    Journal(home)   # created once, so six processes do not race to create the schema
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, url, str(home), str(SCALE),
                               str(n), str(ROOT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for n in range(6)]
    results = [p.communicate(timeout=120) for p in procs]
    outcomes = []
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    seen = report()
    assert [o["state"] for o in outcomes] == ["DONE"] * 6, outcomes
    # Paid once each, and the service never had to say "too many requests".
    assert sorted(seen["accepted"]) == sorted(o["task"] for o in outcomes)
    api = [(method, path, status) for method, path, status in seen["log"]
           if not path.startswith("/files/")]
    assert [r for r in api if r[2] == 429] == []
    assert len(api) >= 6 * 2                   # submit and at least one poll each: a real load


def test_two_budgets_on_one_journal_count_each_others_grants(tmp_path):
    clock = FakeClock()
    journal = Journal(tmp_path)
    mine, theirs = RateBudget(3, clock), RateBudget(3, clock)
    for budget in (mine, theirs):
        budget.share(JournalRateStore(journal, "k" * 16, clock))
    assert mine.try_acquire(POLL) == 0 and theirs.try_acquire(POLL) == 0
    assert mine.try_acquire(POLL) == 0
    assert theirs.try_acquire(POLL) > 59              # the third grant was the key's last
    theirs.penalize(30)
    other_key = RateBudget(3, clock)
    other_key.share(JournalRateStore(journal, "o" * 16, clock))
    assert other_key.try_acquire(POLL) == 0          # another key has its own budget
    assert journal.db.fetch("SELECT count(*) FROM rate_grants")[0][0] == 4
    assert "test-key" not in (tmp_path / "journal.sqlite3").read_bytes().decode("latin-1")
