"""UTC offsets of a zone as arrays, so the local days of many instants come from one lookup."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from threading import Lock

import numpy as np

from services.common.timezones import zone

from .week import EPOCH_ORDINAL

UTC = timezone.utc
SECONDS_PER_DAY = 86_400
# Offsets are sampled every 6 hours and each change is then pinned to the second. No zone
# in the tz database changes its offset twice within 6 hours, so no change is missed.
_SAMPLE_STEP = 6 * 3600


class ZoneOffsets:
    """Constant-offset intervals of one zone over the UTC years looked at so far.

    Built from zoneinfo itself (datetime.fromtimestamp), so a local day computed here is the
    one astimezone() gives; only the per-instant Python call is gone.
    """

    def __init__(self, zone_name: str) -> None:
        self._zone = zone(zone_name)
        self._lock = Lock()
        # (first year, last year, first second covered, first second after, interval starts in
        # UTC seconds, offset seconds of each interval)
        self._table: tuple[int, int, float, float, np.ndarray, np.ndarray] | None = None

    def _offset_at(self, second: int) -> int:
        offset = datetime.fromtimestamp(second, self._zone).utcoffset()
        assert offset is not None
        return int(offset.total_seconds())

    def _scan_years(self, first_year: int, last_year: int) -> tuple[list[int], list[int]]:
        start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
        end = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
        starts = [start]
        offsets = [self._offset_at(start)]
        previous_sample = start
        for sample in range(start + _SAMPLE_STEP, end, _SAMPLE_STEP):
            offset = self._offset_at(sample)
            if offset != offsets[-1]:
                low, high = previous_sample, sample  # offset(low) is old, offset(high) is new
                while high - low > 1:
                    middle = (low + high) // 2
                    if self._offset_at(middle) == offset:
                        high = middle
                    else:
                        low = middle
                starts.append(high)
                offsets.append(offset)
            previous_sample = sample
        return starts, offsets

    def _covering(self, first_year: int, last_year: int) -> tuple[int, int, float, float, np.ndarray, np.ndarray]:
        with self._lock:
            table = self._table
            if table is None:
                low, high = first_year, last_year
            else:
                low, high = min(first_year, table[0]), max(last_year, table[1])
            # Rescanning the whole span keeps the code simple; spans are a few years.
            starts, offsets = self._scan_years(low, high)
            until = datetime(high + 1, 1, 1, tzinfo=UTC).timestamp()
            table = (low, high, float(starts[0]), until, np.array(starts, np.float64), np.array(offsets, np.float64))
            self._table = table
            return table

    def local_ordinals(self, instants: np.ndarray) -> np.ndarray:
        """Local date ordinals of UTC instants given as float seconds since the epoch."""
        earliest = float(instants.min())
        latest = float(instants.max())
        table = self._table
        if table is None or earliest < table[2] or latest >= table[3]:
            first_year = datetime.fromtimestamp(earliest, UTC).year
            last_year = datetime.fromtimestamp(latest, UTC).year
            table = self._covering(first_year, last_year)
        starts, offsets = table[4], table[5]
        if len(starts) == 1:
            local_seconds = instants + offsets[0]
        else:
            local_seconds = instants + offsets[np.searchsorted(starts, instants, side="right") - 1]
        # Whole seconds first: integer floor division is several times faster than float's.
        return np.floor(local_seconds).astype(np.int64) // SECONDS_PER_DAY + EPOCH_ORDINAL


@lru_cache(maxsize=128)
def offsets_of(zone_name: str) -> ZoneOffsets:
    return ZoneOffsets(zone_name)
