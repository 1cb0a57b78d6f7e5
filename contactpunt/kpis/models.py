"""Interval and day rollups: a rebuildable cache of additive parts of the queue figures, per 15 minutes and per day.

One row per interval (and per local day) x level x queue x channel x team. Level "contact" counts every contact
once, in the queue it entered first (centre, channel, day and interval figures); level "leg" counts every queue a
contact was offered to (queue and team figures). Only additive parts are stored: counts, sums of seconds,
answered within each configured threshold and a histogram of answered waits; ratios and percentiles are
computed when read. Everything here can be deleted and rebuilt from the event log.
"""

from __future__ import annotations

from django.db import models


class RollupParts(models.Model):
    """The additive queue figures of the units of one key: level, queue, channel and team (and a moment, below)."""

    level = models.CharField(max_length=8)
    queue = models.ForeignKey("contacts.Queue", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    offered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    short_abandons = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0, help_text="Units without an outcome when last rebuilt.")
    handled = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0, help_text="Handled units with at least one transfer.")
    wait_answered_s = models.FloatField(default=0.0)
    talk_s = models.FloatField(default=0.0)
    hold_s = models.FloatField(default=0.0)
    wrap_s = models.FloatField(default=0.0)
    answered_within_sl = models.PositiveIntegerField(default=0, help_text="Answered within the queue's own threshold.")
    answered_within = models.JSONField(default=dict, help_text="Threshold in seconds -> answered within it.")
    wait_histogram = models.JSONField(default=dict, help_text="Upper edge of the wait bucket -> answered.")

    class Meta:
        abstract = True


class IntervalRollup(RollupParts):
    """The additive queue figures of the units that entered `queue` in the interval starting at `start`."""

    start = models.DateTimeField(help_text="UTC start of the 15-minute interval.")

    class Meta:
        # Covering on PostgreSQL: a month's figures are summed from the index alone (the JSON columns make the rows
        # wide; a month per queue read 65,000 of them from the heap).
        indexes = [
            models.Index(
                fields=["level", "start"],
                name="rollup_level_start_sums_idx",
                include=["queue", "channel", "team", "offered", "answered", "abandoned", "short_abandons", "waiting",
                         "handled", "transferred", "wait_answered_s", "talk_s", "hold_s", "wrap_s",
                         "answered_within_sl"],
            )
        ]  # fmt: skip


class DayRollup(RollupParts):
    """The interval rollups of one local day (settings.TIME_ZONE) summed per level x queue x channel x team: a month
    reads about 31 rows per key instead of 2,976 intervals. Rebuilt from the day's interval rows whenever one of
    them is (`rollups_days`), so it holds exactly their sums; the answered-within count of a threshold is kept only
    when every interval of the day has it."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["level", "day"], name="dayrollup_level_day_idx")]


class DirtyContact(models.Model):
    """A contact whose events changed since its intervals were last rolled up.

    Marking an already dirty contact again raises `version`: a refresh removes a mark only at the version it read,
    in the transaction that rebuilt the mark's intervals, so a mark written during a rebuild survives it."""

    contact_id = models.BigIntegerField(unique=True)
    version = models.PositiveIntegerField(default=0)


class DayPart(models.Model):
    """The additive parts of the figures over whole cases and customers, for one local day (settings.TIME_ZONE).

    `kind` says what was counted and by which moment the day is chosen: "inbound" contacts by arrival (repeat
    contacts, identified share), "resolved" cases by their first resolution (FCR), "created" cases by their first
    contact (Customer Speed Index), "written" units by entering the queue (first response, within the norm; per
    `level` as `IntervalRollup`), "backlog" the written contacts still awaiting a reply at the end of the day (a row
    per written queue and channel, also when none waits: the day was built). Every day is kept twice but for
    "inbound" and "backlog": `per_agent` rows per case resolver or unit agent (their team is looked up when read,
    as the events-based report does), and rows summed over the agents (`agent` empty) for the groupings without
    one, so a month per queue reads a few rows a day. The times
    behind a median are histograms on the duration grid (`metrics.duration_bucket`), whose size is bounded however
    many cases a day has; the lists hold only what a look-ahead still waits for when built (FCR's 7 days, a
    norm still running). Everything here can be deleted and rebuilt from the event log.
    """

    day = models.DateField()
    kind = models.CharField(max_length=8)
    level = models.CharField(max_length=8, default="contact")
    per_agent = models.BooleanField(default=False)
    queue = models.ForeignKey("contacts.Queue", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    agent = models.ForeignKey("people.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    inbound = models.PositiveIntegerField(default=0)
    identified = models.PositiveIntegerField(default=0)
    repeats = models.PositiveIntegerField(default=0)
    fcr_cases = models.PositiveIntegerField(default=0, help_text="Resolved cases whose 7 days had passed when built.")
    fcr_solved = models.PositiveIntegerField(default=0)
    fcr_pending = models.JSONField(
        default=list, help_text="[resolved at (epoch µs), 0/1 solved so far] of cases whose 7 days had not passed."
    )
    created = models.PositiveIntegerField(default=0)
    open_cases = models.PositiveIntegerField(default=0)
    csi_h = models.JSONField(default=dict, help_text="Grid seconds from first contact to resolution -> cases.")
    response_h = models.JSONField(default=dict, help_text="Grid business seconds to the first public reply -> units.")
    norm_replied = models.PositiveIntegerField(default=0, help_text="Replied units of queues with a norm.")
    norm_within = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0, help_text="Unreplied units whose norm had run out when built.")
    due = models.JSONField(
        default=list, help_text="Unreplied units whose norm still ran when built: due at (epoch µs)."
    )
    backlog = models.PositiveIntegerField(default=0, help_text="Written contacts awaiting a reply at the day's end.")
    oldest_us = models.BigIntegerField(null=True, blank=True, help_text="The oldest of them arrived at (epoch µs).")

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="daypart_day_kind_idx")]


class CostPart(models.Model):
    """The handled legs of one local day per agent x queue x account x product type x contact reason: the additive
    parts of cost to serve (contactpunt.kpis.cost). `product_type` is the case's own (the account's is looked up
    when read, as are the rates and the agents' paid time). `contacts` counts each contact once, on the row of its
    first handled leg. Everything here can be deleted and rebuilt from the event log."""

    day = models.DateField()
    agent = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("contacts.Queue", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("customers.Account", on_delete=models.SET_NULL, null=True, related_name="+")
    product_type = models.ForeignKey("customers.ProductType", on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.ForeignKey("contacts.ContactReason", on_delete=models.SET_NULL, null=True, related_name="+")
    legs = models.PositiveIntegerField(default=0)
    contacts = models.PositiveIntegerField(default=0, help_text="Contacts whose first handled leg is counted here.")
    handle_s = models.FloatField(default=0.0, help_text="Talk + hold + wrap-up (written channels: work sessions).")

    class Meta:
        indexes = [models.Index(fields=["day"], name="costpart_day_idx")]


class CaseResolution(models.Model):
    """A case first resolved on the local day `day`, and whether it was a first-contact resolution as measured when
    the day was built (DESIGN.md; while its 7 days run, so far). Built and swapped with the day's parts
    (contactpunt.kpis.dayparts), so a case on a day a dirty contact may change is computed from the events when
    read. Everything here can be deleted and rebuilt from the event log."""

    day = models.DateField()
    case = models.ForeignKey("contacts.Case", on_delete=models.CASCADE, related_name="+")
    solved = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="caseresolution_day_idx")]


class SurveySnapshot(models.Model):
    """A kept result of a slow survey figure (the driver analysis, the "FCR rose, NPS did not" view) for one scope:
    a cache (contactpunt.kpis.survey_snapshots), rebuilt from the answers and the event log."""

    key = models.CharField(max_length=200, unique=True)
    period_end = models.DateTimeField()
    #: The count, last id and sum of ids of the scope's answers when computed.
    answers = models.CharField(max_length=80)
    #: A digest of everything the computation read (the driver table; the view's rows).
    inputs = models.CharField(max_length=64)
    result = models.JSONField()
    checked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["period_end"], name="surveysnapshot_end_idx")]
