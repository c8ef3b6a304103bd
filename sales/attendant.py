"""The attendant's PIN typed at a kiosk, throttled per kiosk: after
PIN_FAILURE_LIMIT wrong PINs within PIN_WINDOW the kiosk is refused the PIN,
even the right one, until the oldest of them is PIN_WINDOW old. The PIN is a
few digits; without this a kiosk's session could try them all."""

import datetime
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from sales.exceptions import AttendantLocked, BadPin
from sales.models import AttendantPinFailure

PIN_FAILURE_LIMIT = 5
PIN_WINDOW = datetime.timedelta(minutes=15)


def attendant_pin_valid(pin: str) -> bool:
    """The store's attendant PIN (settings.PITSTOP_ATTENDANT_PIN); none set
    unlocks nothing. Not throttled: kiosks go through attendant_pin_check."""
    expected = settings.PITSTOP_ATTENDANT_PIN
    return bool(expected) and hmac.compare_digest(pin.encode(), expected.encode())


def attendant_pin_check(*, device: AbstractBaseUser, pin: str) -> None:
    """Accept the attendant's PIN at this kiosk, or raise BadPin (the failure
    is kept) or AttendantLocked (too many failures lately; nothing kept). Locks
    the kiosk's user row, so concurrent guesses are counted one at a time; a
    right PIN forgets the kiosk's failures."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=device.pk).first()
        since = timezone.now() - PIN_WINDOW
        times = list(
            AttendantPinFailure.objects.filter(device=device, created_at__gte=since)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(times) >= PIN_FAILURE_LIMIT:
            # Free again when enough of them have aged out of the window.
            raise AttendantLocked(until=times[-PIN_FAILURE_LIMIT] + PIN_WINDOW)
        right = attendant_pin_valid(pin)
        if right:
            AttendantPinFailure.objects.filter(device=device).delete()
        else:
            AttendantPinFailure.objects.create(device=device)
    # Raised after the commit: the failure is kept.
    if not right:
        raise BadPin(left=PIN_FAILURE_LIMIT - len(times) - 1)


def attendant_pin_accepted(*, device: AbstractBaseUser, pin: str) -> bool:
    """attendant_pin_check as a yes or no (a sale's PIN: a no is a 409
    attendant_required, whatever the reason)."""
    try:
        attendant_pin_check(device=device, pin=pin)
    except (BadPin, AttendantLocked):
        return False
    return True
