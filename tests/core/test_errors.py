import pytest

from bridge import errors as E


@pytest.mark.parametrize("status, body, cls", [
    (400, {"code": "validation_failed", "message": "face_count too high"}, E.BadRequestError),
    (401, {"code": "invalid_api_key"}, E.AuthError),
    (401, {"error_code": "API_KEY_EXPIRED"}, E.AuthError),
    (402, {"code": "insufficient_credits", "detail": "need 300"}, E.InsufficientCreditsError),
    (404, {}, E.NotFoundError),
    (410, "Gone", E.ExpiredError),
    (429, {"code": "RATE_LIMITED"}, E.RateLimitedError),
    (500, "boom", E.ServerError),
    (503, {"error": "maintenance"}, E.ServerError),
])
def test_status_and_code_map_to_one_class(status, body, cls):
    err = E.error_from_response(status, body, {"Retry-After": "7"})
    assert type(err) is cls
    assert isinstance(err, E.BridgeError)
    assert f"HTTP {status}" in str(err)


def test_message_carries_server_detail_and_advice():
    err = E.error_from_response(402, {"code": "insufficient_credits", "message": "Wallet has 12"})
    text = str(err)
    assert "Wallet has 12" in text and "Top up" in text


def test_expired_key_says_to_make_a_new_one():
    err = E.error_from_response(401, {"code": "api_key_expired"})
    assert "expired" in str(err) and "new one" in str(err)


def test_retry_after_is_parsed():
    err = E.error_from_response(429, {"code": "rate_limited"}, {"retry-after": "12"})
    assert err.retry_after == 12.0
    assert E.error_from_response(429, {}, {}).retry_after is None


def test_key_never_echoed_from_server_message():
    key = "sk_live_abcdefghijklmnopqrstuvwxyz0123"
    err = E.error_from_response(401, {"message": f"key {key} invalid, header Bearer {key}"},
                                secrets=(key,))
    assert key not in str(err)
    assert "***" in str(err)


def test_a_key_is_scrubbed_before_a_long_message_is_cut():
    key = "sk_live_abcdefghijklmnopqrstuvwxyz0123"
    err = E.error_from_response(500, "." * 280 + f" key={key}", secrets=(key,))
    assert key[:12] not in str(err) and "***" in str(err)


def test_a_key_is_scrubbed_in_any_case_and_url_encoded():
    key = "sk_live/abcdefghijklmnop+qrstuvwxyz"
    text = E.scrub(f"{key.upper()} and ?k=sk_live%2Fabcdefghijklmnop%2Bqrstuvwxyz", key)
    assert text == "*** and ?k=***"


def test_short_strings_are_not_taken_for_credentials():
    assert E.scrub("a demo answer with task_id", "demo") == "a demo answer with task_id"


def test_an_html_error_page_is_named_by_its_title_without_tags_or_controls():
    page = ("<!DOCTYPE html><html><head><title>502 Bad\x1b[31m Gateway</title>"
            "<style>body{}</style></head><body><h1>nginx</h1></body></html>")
    err = E.error_from_response(502, page)
    assert "502 Bad Gateway" in str(err) and "<" not in str(err) and "\x1b" not in str(err)


def test_downloads_that_cannot_succeed_are_marked_permanent():
    assert E.DownloadTooLargeError.permanent and E.DownloadWriteError.permanent
    assert not E.DownloadError.permanent and not E.BridgeError.permanent
    assert issubclass(E.DownloadTooLargeError, E.DownloadError)
