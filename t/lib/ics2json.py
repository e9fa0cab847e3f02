#!/usr/bin/python3
# Reads an iCalendar text (RFC 5545) on stdin with Debian's python3-icalendar, a
# parser the module has nothing in common with, and prints JSON: the calendar's
# properties and its events, each property as the parser understood it (t/62).
#
#   {"calendar": {"VERSION": "2.0", ...},
#    "events": [{"UID": ..., "SUMMARY": ..., "STATUS": ..., "SEQUENCE": 2,
#                "DTSTART": {"ical": "20261201T080000Z", "utc": true,
#                            "iso": "2026-12-01T08:00:00+00:00"}, ...}]}
# Exits 1, saying why, when the text does not parse.
import datetime
import json
import sys

import icalendar


def value(v):
    """A property's value as JSON: date-times with their UTC-ness and their text."""
    if hasattr(v, 'dt'):
        dt = v.dt
        utc = (isinstance(dt, datetime.datetime) and dt.tzinfo is not None
               and dt.utcoffset() == datetime.timedelta(0))
        return {'ical': v.to_ical().decode('utf-8'), 'utc': utc, 'iso': dt.isoformat()}
    if isinstance(v, int):
        return int(v)
    return str(v)


def props(component):
    return {name: value(v) for name, v in component.property_items(recursive=False)
            if name not in ('BEGIN', 'END')}


def main():
    text = sys.stdin.buffer.read()
    try:
        cal = icalendar.Calendar.from_ical(text)
    except Exception as e:      # noqa: BLE001 - any failure is the answer
        print('not iCalendar: %s' % e, file=sys.stderr)
        return 1
    if cal.name != 'VCALENDAR':
        print('not a VCALENDAR: %s' % cal.name, file=sys.stderr)
        return 1
    events = [props(c) for c in cal.walk('VEVENT')]
    others = sorted({c.name for c in cal.subcomponents} - {'VEVENT'})
    json.dump({'calendar': props(cal), 'events': events, 'others': others}, sys.stdout,
              ensure_ascii=False, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
