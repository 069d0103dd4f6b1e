"""balance, status and download ask the service outside any job: their requests still
count in the key's budget that Blender and other CLI runs share through the journal."""

from test_cli_emulator import env_for, run  # noqa: F401  (run: the in-process CLI fixture)

from bridge.engine.journal import FILENAME, Journal
from bridge.engine.ledger import JournalRateStore
from bridge.ratebudget import POLL, RateBudget, key_hash


def _spend_the_window(home, clock, key="test-key", per_minute=3):
    """What another process on the key did a moment ago: every slot of this minute left."""
    other = RateBudget(per_minute, clock)
    other.share(JournalRateStore(Journal(home), key_hash(key), clock))
    taken = 0
    while other.try_acquire(POLL) == 0:
        taken += 1
    assert 0 < taken <= per_minute


def _wallet_calls(emulator):
    return [r for r in emulator.log if r.path.startswith("/account/user/wallet")]


def test_balance_waits_for_a_slot_another_process_used(run, emulator, fake_clock, tmp_path):
    home = tmp_path / "shared-home"
    _spend_the_window(home, fake_clock)
    start = fake_clock.now()
    code, out, err = run(["balance"], env_for(emulator, AISTUDIO_RATE_LIMIT="3",
                                              AISTUDIO_HOME=str(home)))
    assert code == 0, err
    assert out.startswith("Balance: ")
    assert fake_clock.now() - start >= 59        # it waited for the window, not for a 429
    assert [r.status for r in _wallet_calls(emulator)] == [200]


def test_status_and_download_count_in_the_shared_budget_too(run, emulator, fake_clock, tmp_path):
    emulator.set_rate_limit(3)   # the key's limit, as its answers state it (else 1000 is adopted)
    home = tmp_path / "shared-home"
    env = env_for(emulator, AISTUDIO_RATE_LIMIT="3", AISTUDIO_HOME=str(home))
    code, task_id, err = run(["tencent-rapid", "--prompt", "a stool"], env)
    assert code == 0, err
    _spend_the_window(home, fake_clock)
    start = fake_clock.now()
    code, out, err = run(["status", "--task-id", task_id.strip()], env)
    assert code == 0, err
    # It waited for the oldest grant of the window (the submit's, a little earlier) to pass.
    assert fake_clock.now() - start >= 30
    fake_clock.advance(61)                        # a new minute, spent again by the other
    _spend_the_window(home, fake_clock)
    start = fake_clock.now()
    code, _out, err = run(["download", "--task-id", task_id.strip(),
                           "--output-dir", str(tmp_path / "out")], env)
    assert code in (0, 1), err                    # its files, or "not finished yet"
    assert fake_clock.now() - start >= 59         # the window was all the other process's
    assert [r for r in emulator.log if r.status == 429] == []


def test_no_journal_is_made_for_a_direct_call(run, emulator, fake_clock, tmp_path):
    home = tmp_path / "fresh-home"
    start = fake_clock.now()
    code, _out, err = run(["balance"], env_for(emulator, AISTUDIO_RATE_LIMIT="3",
                                               AISTUDIO_HOME=str(home)))
    assert code == 0, err
    assert fake_clock.now() - start < 1          # nobody else counted: no wait
    assert not (home / FILENAME).exists()
