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
