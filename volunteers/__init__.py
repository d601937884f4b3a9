"""Volunteer teams (城市志愿者服务队): teams, shifts, sign-ups, the waiting list, hours and certificates.

The domain of the volunteers feature, as plain functions over a ``Session`` and the acting user. It
imports ``accounts`` and ``core`` only; the grid cells a team serves are 15-digit codes.

- ``models``: the tables; ``access``: who may do what, fetching with row locks in one order
- ``lifecycle``: the sign-up state machine (the table of moves, and ``taken`` kept in step)
- ``teams``, ``profiles``, ``shifts``, ``signups``, ``waitlist``, ``checkin``, ``hours``, ``certificates``
- ``notices`` (notification kinds about shifts), ``reminders`` (periodic jobs)
- ``ical`` (the personal calendar feed) and ``exports`` (CSV and Excel), both returning bytes
"""
