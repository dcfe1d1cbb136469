"""The shared rate limiter: a request holds its place in the window from when it is written."""

from __future__ import annotations

import time

from hubframe.hubspot.ratelimit import RateLimiter, Slot

WINDOW = 0.2  # 1 request per 0.2 s: a slot is held 0.23 s, requests are paced 0.24 s apart


def test_a_slot_counts_from_when_its_request_is_written() -> None:
    limiter = RateLimiter((1, WINDOW))
    hold = limiter.hold_s
    started = time.monotonic()
    slot = limiter.acquire()
    assert isinstance(slot, Slot) and slot.at >= started
    time.sleep(0.1)  # e.g. waiting for the GIL or a TLS handshake before the first byte
    limiter.sending(slot)
    written = slot.at
    assert written >= started + 0.1
    limiter.acquire()
    # Counted from acquire(), the next request could have gone at started + hold.
    assert time.monotonic() >= written + hold - 0.005


def test_a_slot_written_after_its_window_is_booked_again() -> None:
    limiter = RateLimiter((1, WINDOW))
    slot = limiter.acquire()
    time.sleep(limiter.hold_s + 0.05)
    limiter.observe({"X-HubSpot-RateLimit-Remaining": "1"})  # the window drops the old slot
    assert not slot.booked
    limiter.sending(slot)  # the request leaves only now: it occupies the window again
    assert slot.booked
    written = slot.at
    limiter.acquire()
    assert time.monotonic() >= written + limiter.hold_s - 0.005


def test_sending_never_moves_a_slot_earlier() -> None:
    now = [10.0]
    limiter = RateLimiter((5, 1.0), clock=lambda: now[0])
    slot = limiter.acquire()
    now[0] = 9.0  # a clock read before the booking must not shorten the hold
    limiter.sending(slot)
    assert slot.at == 10.0
    now[0] = 10.5
    limiter.sending(slot)
    assert slot.at == 10.5
