#!/usr/bin/env python3
"""Seeds a demo tenant on a running local cloud and plans its coming week.

    cargo run --release                        # in one terminal
    python3 scripts/demo.py [--api http://127.0.0.1:8080] [--tenant demo] [--seconds 5]

Creates 3 sites in Berlin, 36 areas of 3 area types (one needing the `windows` skill), a
calendar, 4 cleaners with weekday shifts, then POSTs /v1/plans and prints its figures, the
tours of Monday and whatever could not be planned, with the reason. Uses only the standard
library; the token comes from `cargo run --release -- token`.
"""
import argparse
import json
import subprocess
import sys
import urllib.error
import urllib.request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="http://127.0.0.1:8080")
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    command = ["cargo", "run", "--release", "-q", "--", "token", "--tenant", args.tenant, "--role", "admin"]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    token = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def call(method, path, body=None):
        request = urllib.request.Request(
            args.api + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            sys.exit(f"{method} {path}: {e.code} {e.read().decode()}")

    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    sites = []
    for name, lat, lng in [("HQ", 52.520, 13.405), ("Depot", 52.480, 13.350), ("Mall", 52.550, 13.450)]:
        site = call("POST", "/v1/sites", {
            "name": name, "timeZone": "Europe/Berlin",
            "address": {"street": "Demo-Str. 1", "city": "Berlin", "country": "DE"},
            "location": {"lat": lat, "lng": lng},
            "accessHours": [{"day": d, "from": "05:00", "to": "21:00"} for d in weekdays],
        })
        sites.append(site["id"])
    types = [
        call("POST", "/v1/area-types", {"name": "Office", "performanceSqmPerHour": 250, "cleaningsPerWeek": 5}),
        call("POST", "/v1/area-types", {"name": "Meeting room", "performanceSqmPerHour": 200, "cleaningsPerWeek": 3}),
        call("POST", "/v1/area-types", {"name": "Glass front", "performanceSqmPerHour": 120,
                                        "cleaningsPerWeek": 1, "skills": ["windows"]}),
    ]
    areas = []
    for s, site in enumerate(sites):
        for i in range(12):
            area_type = types[0] if i < 7 else types[1] if i < 11 else types[2]
            area = call("POST", "/v1/areas", {"siteId": site, "name": f"Room {s + 1}.{i + 1:02}",
                                              "sizeSqm": 40 + 15 * (i % 5), "areaTypeId": area_type["id"]})
            areas.append(area["id"])
    call("POST", "/v1/calendars", {"siteId": sites[0], "areaId": areas[0], "name": "Lobby before opening",
                                   "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "startDate": "2026-01-05",
                                   "window": {"earliest": "06:00", "latest": "08:00"}})
    for user, lat, skills in [("maria", 52.50, ["windows"]), ("jana", 52.53, []), ("ole", 52.47, []), ("ayse", 52.56, [])]:
        call("POST", "/v1/cleaners", {"userId": user, "name": user.title(), "home": {"lat": lat, "lng": 13.40},
                                      "shifts": [{"day": d, "from": "06:00", "to": "14:00"} for d in weekdays],
                                      "maxMinutesPerDay": 420, "skills": skills})
    print(f"seeded {len(sites)} sites, {len(areas)} areas, 4 cleaners; planning for {args.seconds} s ...")
    plan = call("POST", "/v1/plans", {"seconds": args.seconds})
    print(f"plan {plan['id']} for the week of {plan['weekStart']}: {plan['status']}")
    for label, k in [("plan", plan["kpis"]), ("current tours", plan["current"])]:
        print(f"  {label:>13}: {k['cleaners']} cleaners, paid {k['paidMinutes']} min "
              f"(cleaning {k['cleaningMinutes']}, travel {k['travelMinutes']}, waiting {k['waitingMinutes']}), "
              f"overtime {k['overtimeMinutes']}, unplanned {k['unplanned']}")
    for tour in plan["tours"]:
        if tour["date"] == plan["weekStart"]:
            print(f"  {tour['date']} {tour['cleanerId']:>6}: {tour['leave']}-{tour['back']}, "
                  f"{len(tour['stops'])} stops, travel {tour['travelMinutes']} min")
    for item in plan["unplanned"]:
        print(f"  unplanned {item['date']} {item['areaId']}: {item['reason']}")


if __name__ == "__main__":
    main()
