"""The one place the product reads the calendar.

Everything that depends on the current date (a link's default first month, the catalog's age in the
footer) asks ``clock.today()``, so a test pins the date (``monkeypatch.setattr(clock, "today", ...)``)
instead of passing or failing with the calendar.
"""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()
