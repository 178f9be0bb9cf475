"""Parses iCalendar files with the `icalendar` package (a real RFC 5545
parser, independent of debrief's emitter) and prints what it read as JSON,
one object per file, for the Rust test `ical_python.rs` to check.

Usage: python ical_check.py FILE.ics...
Exits 2 when a file does not parse or the parser reports errors."""

import json
import sys
from datetime import timezone

import icalendar


def params(prop):
    return {str(k): str(v) for k, v in prop.params.items()}


def ical_text(prop):
    value = prop.to_ical()
    return value.decode() if isinstance(value, bytes) else str(value)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    lines = raw.split(b"\r\n")
    cal = icalendar.Calendar.from_ical(raw)
    errors = [f"{c.name}: {e}" for c in cal.walk() for e in getattr(c, "errors", [])]
    events = cal.walk("VEVENT")
    if len(events) != 1:
        errors.append(f"{len(events)} VEVENTs, expected 1")
    ev = events[0]
    start, end = ev.get("DTSTART"), ev.get("DTEND")
    timezones = []
    for tz in cal.walk("VTIMEZONE"):
        timezones.append(
            {
                "tzid": str(tz.get("TZID")),
                "observances": [
                    {
                        "kind": o.name,
                        "dtstart": o.decoded("DTSTART").isoformat(),
                        "from": ical_text(o.get("TZOFFSETFROM")),
                        "to": ical_text(o.get("TZOFFSETTO")),
                    }
                    for o in tz.subcomponents
                ],
            }
        )
    return {
        "file": path,
        "errors": errors,
        "crlf_only": b"\n" not in raw.replace(b"\r\n", b""),
        "longest_line_octets": max(len(l) for l in lines),
        "method": str(cal.get("METHOD")),
        "version": str(cal.get("VERSION")),
        "prodid": str(cal.get("PRODID")),
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE")),
        "status": str(ev.get("STATUS")),
        "dtstamp": ev.decoded("DTSTAMP").astimezone(timezone.utc).isoformat(),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION", "")),
        "location": str(ev.get("LOCATION", "")),
        "url": str(ev.get("URL", "")),
        "organizer": str(ev.get("ORGANIZER")),
        "organizer_params": params(ev.get("ORGANIZER")),
        "attendees": [dict(address=str(a), **params(a)) for a in as_list(ev.get("ATTENDEE"))],
        "dtstart_tzid": start.params.get("TZID"),
        "dtstart_local": start.dt.replace(tzinfo=None).isoformat(),
        "dtstart_utc": start.dt.astimezone(timezone.utc).isoformat(),
        "dtend_utc": end.dt.astimezone(timezone.utc).isoformat(),
        "timezones": timezones,
        "icalendar_version": icalendar.__version__,
    }


def main():
    out = []
    failed = False
    for path in sys.argv[1:]:
        try:
            r = read(path)
        except Exception as e:  # a file the parser refuses
            r = {"file": path, "errors": [f"does not parse: {e!r}"]}
        failed = failed or bool(r["errors"])
        out.append(r)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.exit(2 if failed else 0)


if __name__ == "__main__":
    main()
