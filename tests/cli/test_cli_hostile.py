"""Issue 11 end to end through the CLI: hostile answers, bad input, broken journals.

The emulator here holds a realistic long key and token, so a leak would be a
real leak. Every assertion is about what the user sees (stdout, stderr, the
exit code), what the service saw (its log, accepted jobs) and what is kept
(every byte under the journal's home).
"""

import io
import json

import pytest
from sample_pictures import png_bytes

from bridge.cli import Context, main
from bridge.emulator import Emulator

KEY = "sk-live-7Gq2ZK9xTz4bN0aVw8LmRc3Ud5Ye1Hf6"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.i3d-secret-part.Zm9vYmFy"
PORTAL = "<html><head><title>Hotel WiFi - please sign in</title></head><body>...</body></html>"


@pytest.fixture
def emu(fake_clock):
    with Emulator(api_key=KEY, image3d_token=TOKEN, time_scale=1.0, rate_limit=None,
                  credits=1_000_000, clock=fake_clock) as emulator:
        yield emulator


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def cli(emu, fake_clock, tmp_path, home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"3D_AI_STUDIO_API_URL": emu.url, "IMAGE3D_API_URL": emu.url,
           "3D_AI_STUDIO_API_KEY": KEY, "IMAGE3D_TOKEN": TOKEN, "AISTUDIO_RATE_LIMIT": "1000",
           "AISTUDIO_HOME": str(home)}

    def invoke(*argv):
        ctx = Context(environ=env, stdout=io.StringIO(), stderr=io.StringIO(), clock=fake_clock)
        code = main(list(argv), ctx=ctx)
        return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()
    return invoke


def kept_bytes(home) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def assert_no_secret(home, *texts):
    """Neither credential, nor its first 16 characters (a cut-off key still leaks)."""
    for secret in (KEY, TOKEN, KEY[:16], TOKEN[:16]):
        for text in texts:
            assert secret.lower() not in text.lower()
        assert secret.encode() not in kept_bytes(home)


def one_error_line(err: str) -> bool:
    """Exactly one 'error:' line, and nothing that looks like a traceback."""
    lines = err.splitlines()
    return sum(line.startswith("error: ") for line in lines) == 1 and "Traceback" not in err


def posts(emu):
    return [entry for entry in emu.log if entry.method == "POST"]


# -- item 1: paying twice --------------------------------------------------------------

def test_an_html_answer_to_a_submit_ends_unknown_and_is_never_resent(cli, emu, home):
    emu.faults.answer_submits_with(1, PORTAL)
    code, _, err = cli("tencent-rapid", "--prompt", "a red armchair", "--wait")
    assert code == 1
    assert "3daistudio.com" in err and "not sent again" in err and "Hotel WiFi" in err
    assert one_error_line(err)
    code, out, _ = cli("resume", "--wait", "--timeout", "60")
    code, out, _ = cli("jobs")
    assert " UNKNOWN " in out
    assert len(posts(emu)) == 1 and len(emu.accepted) == 1


# -- item 3: a long Retry-After is visible ---------------------------------------------------

def test_a_huge_retry_after_is_announced_and_capped(cli, emu, fake_clock):
    emu.faults.retry_after(1, "999999")
    start = fake_clock.now()
    code, out, err = cli("balance")
    assert code == 0 and out.startswith("Balance:")
    assert "asked to wait 999,999 s" in err and "300 s at most" in err
    assert fake_clock.now() - start <= 605


# -- item 4: the key never leaves ------------------------------------------------------------

def test_a_failure_reason_echoing_the_key_is_scrubbed_and_not_obeyed(cli, emu, home):
    emu.faults.fail_next_job(f"request from key {KEY} refused \x1b[2J\x1b[31mRED")
    code, out, err = cli("tencent-rapid", "--prompt", "a red armchair", "--wait")
    assert code == 1 and "request from key *** refused" in err and "\x1b" not in err
    code, listing, _ = cli("jobs")
    code, status, status_err = cli("status", "--task-id", emu.accepted[0].task_id)
    assert code == 1 and "Reason: request from key *** refused" in status
    assert "\x1b" not in listing + status
    assert_no_secret(home, out, err, listing, status, status_err)


def test_an_image3d_failure_echoing_the_token_is_scrubbed(cli, emu, home):
    emu.faults.fail_next_job(f"token {TOKEN} has expired")
    code, out, err = cli("image3d", "--prompt", "a robot", "--quality", "fast", "--wait")
    assert code == 1 and "token *** has expired" in err
    assert_no_secret(home, out, err)


def test_a_400_message_echoing_the_key_is_scrubbed(cli, emu, home):
    body = json.dumps({"code": "validation_failed",
                       "message": f"Authorization: Bearer {KEY} not allowed; key={KEY.upper()}"})
    emu.faults.raw_errors(1, 400, body, "application/json")
    code, out, err = cli("tencent-rapid", "--prompt", "a red armchair", "--wait")
    assert code == 1 and "Nothing was charged" in err and "not allowed" in err
    assert_no_secret(home, out, err)


@pytest.mark.parametrize("body", [
    f"<html><head><title>Error for key {KEY}</title></head><body>{KEY}</body></html>",
    # Long enough that a 300-character cut falls inside the key.
    f"{'.' * 270} key={KEY} Authorization: Bearer {KEY}",
], ids=["html", "text"])
def test_a_500_body_echoing_the_key_is_scrubbed_in_the_retry_notice(cli, emu, home, body):
    emu.faults.raw_errors(5, 500, body)   # the transport's five tries, then the engine's retry
    code, out, err = cli("tencent-rapid", "--prompt", "a red armchair", "--wait")
    assert code == 0, err
    assert "HTTP 500" in err and "Trying again" in err
    assert "<title>" not in err        # a page is named by its title, not dumped
    assert_no_secret(home, out, err)


# -- item 5: checks before paying ------------------------------------------------------------

def test_a_cut_off_picture_is_refused_and_nothing_is_sent(cli, emu, tmp_path):
    picture = tmp_path / "cut.png"
    picture.write_bytes(png_bytes(256, 256)[:40])
    code, out, err = cli("tencent-rapid", "--image", str(picture), "--wait")
    assert code == 2 and "cut off" in err and "Nothing was sent" in err
    assert emu.log == []


def test_a_huge_picture_is_refused_and_nothing_is_sent(cli, emu, tmp_path):
    from sample_pictures import png_claiming
    picture = tmp_path / "huge.png"
    picture.write_bytes(png_claiming(20_000, 20_000))
    code, _, err = cli("trellis", "--image", str(picture), "--wait")
    assert code == 2 and "20000×20000" in err and emu.log == []


def test_a_folder_given_as_the_picture_is_called_a_folder(cli, emu, tmp_path):
    code, _, err = cli("trellis", "--image", str(tmp_path), "--wait")
    assert code == 2 and "is a folder, not a picture" in err and emu.log == []


@pytest.mark.parametrize("command", [
    ["tencent-rapid", "--prompt", "a red armchair", "--wait"],
    ["download", "--task-id", "0f0e0d0c-0000-4000-8000-000000000000"],
], ids=["submit", "download"])
def test_an_output_dir_that_is_a_file_is_refused_before_anything_is_sent(cli, emu, tmp_path,
                                                                        command):
    (tmp_path / "results").write_text("a file, not a folder")
    code, _, err = cli(*command, "--output-dir", str(tmp_path / "results"))
    assert code == 2 and "is a file, not a folder" in err
    assert emu.log == [] and emu.accepted == []


# -- item 7: the terminal, numbers, journals -------------------------------------------------

def test_a_prompt_with_a_control_character_is_refused(cli, emu):
    code, _, err = cli("tencent-rapid", "--prompt", "a \x1b[31mred\x1b[0m armchair")
    assert code == 2 and "control character (U+001B" in err and "\x1b" not in err
    assert emu.log == []


def test_prompts_keep_line_breaks_and_tabs(cli, emu):
    code, out, _ = cli("tencent-rapid", "--prompt", "a red armchair\n\twith a cushion", "--dry-run")
    assert code == 0 and "Dry run" in out


def test_a_file_name_with_control_characters_is_shown_escaped(cli, tmp_path):
    picture = tmp_path / "evil\x1b[2J.png"
    picture.write_bytes(png_bytes())
    code, out, _ = cli("trellis", "--image", str(picture), "--dry-run")
    assert code == 0 and "\x1b" not in out and "evil" in out
    code, out, err = cli("trellis", "--image", str(picture), "--wait")
    assert code == 0, err
    assert "\x1b" not in err and "evil\\x1b[2J.png" in err    # the summary line, escaped


@pytest.mark.parametrize("argv", [
    ["tencent-rapid", "--prompt", "chair", "--timeout", "-1"],
    ["tencent-rapid", "--prompt", "chair", "--timeout", "0"],
    ["tencent-rapid", "--prompt", "chair", "--timeout", "nan"],
    ["tencent-rapid", "--prompt", "chair", "--timeout", "inf"],
    ["status", "--task-id", "t1", "--poll", "--timeout", "-5"],
    ["resume", "--timeout", "-1"],
    ["jobs", "--limit", "0"],
], ids=lambda argv: " ".join(argv[-2:]))
def test_meaningless_numbers_are_refused_with_exit_2(cli, emu, argv):
    code, out, err = cli(*argv)
    assert code == 2 and "greater than 0" in err and err.count("\n") == 1
    assert emu.log == []


def test_a_damaged_journal_is_one_line_with_its_path_and_is_not_overwritten(cli, emu, home):
    home.mkdir()
    journal = home / "journal.sqlite3"
    journal.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    before = journal.read_bytes()
    for argv in (["jobs"], ["tencent-rapid", "--prompt", "a red armchair"]):
        code, _, err = cli(*argv)
        assert code == 3, err
        assert str(journal) in err and one_error_line(err) and "unexpected" not in err
    assert journal.read_bytes() == before
    assert emu.log == []           # nothing was sent without a journal to record it in


def test_a_home_that_is_a_file_is_one_line_with_exit_3(cli, emu, home):
    home.write_text("not a folder")
    code, _, err = cli("jobs")
    assert code == 3 and str(home) in err and one_error_line(err) and "unexpected" not in err


def test_a_journal_error_from_the_engine_exits_3_with_its_file(cli, emu, home, monkeypatch):
    from bridge.errors import JournalError

    class LockedJournal:
        def __init__(self, home):
            raise JournalError(f"The job journal {home}/journal.sqlite3 is locked by another "
                               "program.", path=f"{home}/journal.sqlite3",
                               advice="Close it and try again.")

    monkeypatch.setattr("bridge.engine.journal.Journal", LockedJournal)
    code, _, err = cli("jobs")
    assert code == 3 and f"{home}/journal.sqlite3 is locked" in err and one_error_line(err)
