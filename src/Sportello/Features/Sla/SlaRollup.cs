using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Sla;

/// <summary>
/// The SLA report's pre-aggregated hours (<see cref="SlaHour"/>), so a report over a month reads about 24 × 30 rows per
/// group instead of every ticket opened in it. The hours are counted from the tickets themselves, off the hot path:
/// <see cref="SlaMonitor"/> runs <see cref="RollUpAsync"/> every minute, and its first run (after the migration that
/// made the tables) counts every existing hour. A ticket is counted in the hour it was opened in, which never changes;
/// any later change (a first response, a new priority or department, a merge) renews its <c>UpdatedAt</c>, so an hour
/// holding a ticket changed after the watermark is read live from the tickets, and the next roll-up counts it again.
/// An hour with an unanswered ticket still in time, the period's partial hours at either edge, and the hours not yet
/// covered (the last minutes) are read live too: the report is the same as one computed from the tickets alone.
/// Each roll-up writes the hours and days it counts under its own revision, and a node keeps what it parsed by that
/// revision (<see cref="SlaRollupCache"/>): a report reads the histograms only of the periods counted since the last.
/// </summary>
public static class SlaRollup
{
    /// <summary>
    /// How long a change may take between being stamped and being committed: the watermark stays this far behind the
    /// roll-up, so a change committed late is still seen as dirty (a transaction never takes minutes here).
    /// </summary>
    public static readonly TimeSpan Lag = TimeSpan.FromMinutes(5);
    /// <summary>How many days one transaction of the first count covers.</summary>
    private const int ChunkDays = 7;
    /// <summary>Past this many live ranges a report reads the whole period live: the roll-up is too far behind to help.</summary>
    private const int MostLiveRanges = 64;
    /// <summary>
    /// The roll-up's state row. 2 since the day level: the version before kept hours only, under row 1. During a rolling
    /// upgrade its nodes go on rolling up under row 1 while the new ones start row 2, count every hour and day once,
    /// and never take an older node's watermark for their days'. Row 1 is left to the older nodes.
    /// </summary>
    private const int StateId = 2;

    /// <summary>The two levels of the roll-up: its hours, and its whole days summed from them.</summary>
    public enum Level
    {
        Hour,
        Day,
    }

    /// <summary>
    /// An hour or a day of the roll-up as the report reads it (or the settled days of a report, summed): each group's
    /// counts and their sum over the groups, the latest target among its unanswered tickets (until it passes, the period
    /// is read more finely), and the revision of the roll-up that wrote it (none for rows written by the version before).
    /// </summary>
    public sealed record Period(DateTime At, Guid? Revision, DateTime? LatestDue,
        IReadOnlyList<((string Department, string Priority, string Channel) Key, SlaReport.Tally Tally)> Tallies)
    {
        public SlaReport.Tally Overall { get; } = SlaReport.Tally.Sum(Tallies.Select(t => t.Tally));
    }

    /// <summary>The tickets' rows the report reads live, the hours it reads from the roll-up, and its settled whole days summed.</summary>
    public sealed record Reading(List<SlaReport.Row> Rows, List<Period> Hours, Period? Days)
    {
        /// <summary>Every part as the report's counts per group.</summary>
        public IEnumerable<((string Department, string Priority, string Channel) Key, SlaReport.Tally Tally)> Tallies(DateTime now) =>
            Rows.GroupBy(r => (r.Department, r.Priority, r.Channel)).Select(g => (g.Key, SlaReport.Tally.Of(g, now)))
                .Concat(Hours.SelectMany(h => h.Tallies))
                .Concat(Days?.Tallies ?? []);

        /// <summary>The same counts as parts of the overall figures: each period's sum over its groups, kept with it.</summary>
        public IEnumerable<SlaReport.Tally> Overall(DateTime now) =>
            Hours.Select(h => h.Overall).Append(SlaReport.Tally.Of(Rows, now)).Concat(Days is null ? [] : [Days.Overall]);
    }

    public static DateTime FloorHour(DateTime at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    private static DateTime CeilHour(DateTime at) => at.Ticks % TimeSpan.TicksPerHour == 0 ? at : FloorHour(at).AddHours(1);

    private static DateTime FloorDay(DateTime at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerDay, DateTimeKind.Utc);

    private static DateTime CeilDay(DateTime at) => at.Ticks % TimeSpan.TicksPerDay == 0 ? at : FloorDay(at).AddDays(1);

    /// <summary>
    /// What the report over [from, to) reads: covered, settled, unchanged whole days (UTC) from the roll-up's days, the
    /// covered, settled, unchanged hours of the other days from its hours; the rest live. A day holding a changed hour
    /// or an unanswered ticket still in time is read by the hour, so only that hour is read live.
    /// </summary>
    public static async Task<Reading> ReadAsync(
        SportelloDb db, SlaRollupCache cache, DateTime from, DateTime to, DateTime now, CancellationToken cancellationToken = default)
    {
        var state = await db.Set<SlaRollupState>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == StateId, cancellationToken);
        var start = state is null ? to : Max(CeilHour(from), state.CoveredFrom);
        var end = state is null ? to : Min(FloorHour(to), state.CoveredTo);
        if (state is null || now < state.RolledAt || start >= end)
        {
            return new Reading(await RowsAsync(db, from, to, cancellationToken), [], null);
        }
        var dirty = (await ChangedSinceAsync(db, state.Watermark, cancellationToken)).Where(c => c >= start && c < end).Select(FloorHour).ToHashSet();
        var (firstDay, lastDay) = (CeilDay(start), FloorDay(end));
        var days = firstDay < lastDay ? await PeriodsAsync(db, cache, Level.Day, [(firstDay, lastDay)], cancellationToken) : [];
        // An unanswered ticket still in time could turn overdue as the report is read: its day is read by the hour.
        var byHour = dirty.Select(FloorDay).Concat(days.Where(d => d.LatestDue is { } due && now <= due).Select(d => d.At)).ToHashSet();
        var hourRanges = firstDay < lastDay
            ? Ranges([(start, firstDay), (lastDay, end), .. byHour.Where(d => d >= firstDay && d < lastDay).Select(d => (d, d.AddDays(1)))])
            : [(start, end)];
        var hours = await PeriodsAsync(db, cache, Level.Hour, hourRanges, cancellationToken);
        dirty.UnionWith(hours.Where(h => h.LatestDue is { } due && now <= due).Select(h => h.At));
        var live = Ranges([(from, start), (end, to), .. dirty.Select(h => (h, h.AddHours(1)))]);
        if (live.Count > MostLiveRanges)
        {
            return new Reading(await RowsAsync(db, from, to, cancellationToken), [], null);
        }
        var rows = new List<SlaReport.Row>();
        foreach (var (a, b) in live)
        {
            rows.AddRange(await RowsAsync(db, Max(a, from), Min(b, to), cancellationToken));
        }
        return new Reading(rows, hours.Where(h => !dirty.Contains(h.At)).ToList(), Summed(cache, days.Where(d => !byHour.Contains(d.At)).ToList()));
    }

    /// <summary>
    /// The settled days of a report as one period: their counts added per group and overall, kept by the node for the
    /// same days at the same revisions (the next report of the month reads them again), so a report adds a month of
    /// histograms only when a day has been counted again.
    /// </summary>
    private static Period? Summed(SlaRollupCache cache, List<Period> days)
    {
        if (days.Count <= 1)
        {
            return days.SingleOrDefault();
        }
        var key = days.All(d => d.Revision is not null)
            ? "days:" + string.Join(',', days.OrderBy(d => d.At).Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.At.Ticks}/{d.Revision:N}")))
            : null;
        if (key is not null && cache.TryGet(key, out var kept))
        {
            return kept;
        }
        var summed = new Period(days.Min(d => d.At), null, days.Max(d => d.LatestDue),
            days.SelectMany(d => d.Tallies).GroupBy(t => t.Key, t => t.Tally).Select(g => (g.Key, SlaReport.Tally.Sum(g))).ToList());
        if (key is not null)
        {
            cache.Keep(key, summed);
        }
        return summed;
    }

    /// <summary>
    /// The roll-up's periods in the ranges: first only which periods there are, at which revision, then the rows of
    /// those the node has not parsed at that revision yet (<see cref="SlaRollupCache"/>), parsed and kept.
    /// </summary>
    private static async Task<List<Period>> PeriodsAsync(
        SportelloDb db, SlaRollupCache cache, Level level, List<(DateTime From, DateTime To)> ranges, CancellationToken cancellationToken)
    {
        var found = new List<Period>();
        var missing = new List<(DateTime From, DateTime To)>();
        var width = level == Level.Day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        foreach (var (a, b) in ranges)
        {
            var stamps = level == Level.Day
                ? await db.Set<SlaDay>().AsNoTracking().Where(d => d.Day >= a && d.Day < b).GroupBy(d => new { At = d.Day, d.Revision })
                    .Select(g => new { g.Key.At, g.Key.Revision }).ToListAsync(cancellationToken)
                : await db.Set<SlaHour>().AsNoTracking().Where(h => h.Hour >= a && h.Hour < b).GroupBy(h => new { At = h.Hour, h.Revision })
                    .Select(g => new { g.Key.At, g.Key.Revision }).ToListAsync(cancellationToken);
            // A period written whole by one roll-up has one revision; rows with none, or several, are read again.
            foreach (var stamp in stamps.GroupBy(s => s.At))
            {
                if (stamp.Count() == 1 && stamp.Single().Revision is { } revision && cache.TryGet((level, stamp.Key, revision), out var period))
                {
                    found.Add(period);
                }
                else
                {
                    missing.Add((stamp.Key, stamp.Key + width));
                }
            }
        }
        foreach (var (a, b) in Ranges(missing))
        {
            var read = level == Level.Day
                ? (await db.Set<SlaDay>().AsNoTracking().Where(d => d.Day >= a && d.Day < b).ToListAsync(cancellationToken))
                    .GroupBy(d => d.Day).Select(g => Parsed(g.Key, g, d => d.Revision, d => d.LatestDue, d => ((d.Department, d.Priority, d.Channel), TallyOf(d))))
                : (await db.Set<SlaHour>().AsNoTracking().Where(h => h.Hour >= a && h.Hour < b).ToListAsync(cancellationToken))
                    .GroupBy(h => h.Hour).Select(g => Parsed(g.Key, g, h => h.Revision, h => h.LatestDue, h => ((h.Department, h.Priority, h.Channel), TallyOf(h))));
            foreach (var period in read)
            {
                if (period.Revision is { } revision)
                {
                    cache.Keep((level, period.At, revision), period);
                }
                found.Add(period);
            }
        }
        return found;
    }

    // One period's rows as it is read: its revision only when every row has that one.
    private static Period Parsed<T>(DateTime at, IEnumerable<T> rows, Func<T, Guid?> revision, Func<T, DateTime?> latestDue,
        Func<T, ((string Department, string Priority, string Channel) Key, SlaReport.Tally Tally)> tally)
    {
        var all = rows.ToList();
        var revisions = all.Select(revision).Distinct().ToList();
        return new Period(at, revisions.Count == 1 ? revisions[0] : null, all.Max(latestDue), all.Select(tally).ToList());
    }

    /// <summary>A roll-up hour as the report's counts: only read once its unanswered tickets are all past their target.</summary>
    public static SlaReport.Tally TallyOf(SlaHour hour) => new(hour.Tickets, hour.Responded, hour.WithinTarget, hour.Unanswered, 0, Counted(hour.ResponseTenths));

    /// <summary>A roll-up day as the report's counts: only read once its unanswered tickets are all past their target.</summary>
    public static SlaReport.Tally TallyOf(SlaDay day) => new(day.Tickets, day.Responded, day.WithinTarget, day.Unanswered, 0, ParseHistogram(day.ResponseHistogram));

    // An hour's responses (each one's tenths, ascending) as a histogram: equal neighbours counted together.
    private static List<(long Tenths, int Count)> Counted(string tenths)
    {
        var histogram = new List<(long Tenths, int Count)>();
        var text = tenths.AsSpan();
        foreach (var range in text.Split(','))
        {
            if (text[range].IsEmpty)
            {
                continue;
            }
            var value = long.Parse(text[range], CultureInfo.InvariantCulture);
            if (histogram.Count > 0 && histogram[^1].Tenths == value)
            {
                histogram[^1] = (value, histogram[^1].Count + 1);
            }
            else
            {
                histogram.Add((value, 1));
            }
        }
        return SlaReport.Tally.Ascending(histogram);
    }

    // A day's histogram, tenths:count,… ascending, read without a string per entry: a busy day holds thousands.
    private static List<(long Tenths, int Count)> ParseHistogram(string histogram)
    {
        var parsed = new List<(long Tenths, int Count)>(histogram.Length / 6 + 1);
        var text = histogram.AsSpan();
        foreach (var range in text.Split(','))
        {
            var pair = text[range];
            var colon = pair.IndexOf(':');
            if (colon > 0)
            {
                parsed.Add((long.Parse(pair[..colon], CultureInfo.InvariantCulture), int.Parse(pair[(colon + 1)..], CultureInfo.InvariantCulture)));
            }
        }
        return SlaReport.Tally.Ascending(parsed);
    }

    private static string Histogram(IEnumerable<(long Tenths, int Count)> histogram) =>
        string.Join(',', histogram.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Tenths}:{h.Count}")));

    /// <summary>
    /// Counts again the covered hours holding a ticket changed since the last watermark, and covers the hours up to the
    /// new one (the first run counts all of them, a week per transaction, so no writer waits long). Returns the hours
    /// counted; 0 when another node rolled up meanwhile.
    /// </summary>
    public static async Task<int> RollUpAsync(SportelloDb db, DateTime now, CancellationToken cancellationToken = default)
    {
        var watermark = now - Lag;
        var counted = 0;
        while (true)
        {
            var state = await db.Set<SlaRollupState>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == StateId, cancellationToken);
            if (state is null)
            {
                var first = await db.Tickets.AsNoTracking().MinAsync(t => (DateTime?)t.CreatedAt, cancellationToken) ?? watermark;
                var hour = Min(FloorHour(first), FloorHour(watermark));
                db.Add(new SlaRollupState { Id = StateId, CoveredFrom = hour, CoveredTo = hour, Watermark = watermark, RolledAt = now, Version = Guid.NewGuid() });
                await db.SaveChangesAsync(cancellationToken);
                db.ChangeTracker.Clear();
                continue;
            }
            if (now < state.RolledAt)
            {
                return counted;
            }
            var coverTo = Min(FloorHour(watermark), state.CoveredTo.AddDays(ChunkDays));
            var covered = Max(coverTo, state.CoveredTo);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var version = Guid.NewGuid();
            var won = await db.Set<SlaRollupState>().Where(s => s.Id == StateId && s.Version == state.Version)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, version).SetProperty(x => x.RolledAt, now)
                    .SetProperty(x => x.Watermark, watermark).SetProperty(x => x.CoveredTo, covered), cancellationToken);
            if (won == 0)
            {
                return counted;
            }
            var dirty = (await ChangedSinceAsync(db, state.Watermark, cancellationToken))
                .Where(c => c >= state.CoveredFrom && c < state.CoveredTo).Select(FloorHour).ToHashSet();
            var ranges = Ranges([(state.CoveredTo, coverTo), .. dirty.Select(h => (h, h.AddHours(1)))]);
            foreach (var (a, b) in ranges)
            {
                counted += await CountAsync(db, a, b, version, cancellationToken);
            }
            await SumDaysAsync(db, ranges, version, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (coverTo >= FloorHour(watermark))
            {
                return counted;
            }
        }
    }

    /// <summary>Forgets the roll-up (after a bulk load of old tickets): reports read live until the next roll-up counts every hour again.</summary>
    public static async Task ResetAsync(SportelloDb db, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<SlaRollupState>().ExecuteDeleteAsync(cancellationToken);
        await db.Set<SlaHour>().ExecuteDeleteAsync(cancellationToken);
        await db.Set<SlaDay>().ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // The hours of [from, to) counted again from their tickets.
    private static async Task<int> CountAsync(SportelloDb db, DateTime from, DateTime to, Guid revision, CancellationToken cancellationToken)
    {
        if (from >= to)
        {
            return 0;
        }
        await db.Set<SlaHour>().Where(h => h.Hour >= from && h.Hour < to).ExecuteDeleteAsync(cancellationToken);
        var rows = await RowsAsync(db, from, to, cancellationToken);
        var hours = rows.GroupBy(r => (Hour: FloorHour(r.CreatedAt), r.Department, r.Priority, r.Channel)).Select(g =>
        {
            var unanswered = g.Where(r => r.FirstRespondedAt is null).ToList();
            // The overdue count is exact once the latest target has passed; the reader counts the hour live until then.
            var tally = SlaReport.Tally.Of(g, DateTime.MaxValue);
            return new SlaHour
            {
                Hour = g.Key.Hour, Department = g.Key.Department, Priority = g.Key.Priority, Channel = g.Key.Channel, Revision = revision,
                Tickets = tally.Tickets, Responded = tally.Responded, WithinTarget = tally.WithinTarget, Unanswered = unanswered.Count,
                LatestDue = unanswered.Count == 0 ? null : unanswered.Max(r => r.FirstResponseDueAt),
                ResponseTenths = string.Join(',', tally.Responses.SelectMany(r => Enumerable.Repeat(r.Tenths, r.Count)).Select(t => t.ToString(CultureInfo.InvariantCulture))),
            };
        }).ToList();
        db.Set<SlaHour>().AddRange(hours);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return hours.Select(h => h.Hour).Distinct().Count();
    }

    // The days holding any hour of the ranges summed again from their hours (a day partly covered is summed too; the reader never reads it whole).
    private static async Task SumDaysAsync(SportelloDb db, IEnumerable<(DateTime From, DateTime To)> ranges, Guid revision, CancellationToken cancellationToken)
    {
        var touched = new SortedSet<DateTime>();
        foreach (var (a, b) in ranges)
        {
            for (var day = FloorDay(a); day < b; day = day.AddDays(1))
            {
                touched.Add(day);
            }
        }
        foreach (var (a, b) in Ranges(touched.Select(d => (d, d.AddDays(1)))))
        {
            await db.Set<SlaDay>().Where(d => d.Day >= a && d.Day < b).ExecuteDeleteAsync(cancellationToken);
            var hours = await db.Set<SlaHour>().AsNoTracking().Where(h => h.Hour >= a && h.Hour < b).ToListAsync(cancellationToken);
            db.Set<SlaDay>().AddRange(hours.GroupBy(h => (Day: FloorDay(h.Hour), h.Department, h.Priority, h.Channel)).Select(g => new SlaDay
            {
                Day = g.Key.Day, Department = g.Key.Department, Priority = g.Key.Priority, Channel = g.Key.Channel, Revision = revision,
                Tickets = g.Sum(h => h.Tickets), Responded = g.Sum(h => h.Responded), WithinTarget = g.Sum(h => h.WithinTarget),
                Unanswered = g.Sum(h => h.Unanswered), LatestDue = g.Max(h => h.LatestDue),
                ResponseHistogram = Histogram(SlaReport.Tally.Merge(g.Select(h => Counted(h.ResponseTenths)))),
            }));
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// The report's rows: tickets opened in [from, to), merged ones left out. Only the period is asked of the database,
    /// so it reads a range of <c>IX_Tickets_SlaReport</c>: asked for <c>MergedIntoId IS NULL</c> as well, SQLite (with
    /// no statistics) takes that for an equality and walks the index of merges instead, every unmerged ticket of the table.
    /// </summary>
    public static async Task<List<SlaReport.Row>> RowsAsync(SportelloDb db, DateTime from, DateTime to, CancellationToken cancellationToken) =>
        (await db.Tickets.AsNoTracking()
            .Where(t => t.CreatedAt >= from && t.CreatedAt < to)
            .Select(t => new { t.MergedIntoId, Row = new SlaReport.Row(t.Department, t.Priority, t.Channel, t.CreatedAt, t.FirstResponseDueAt, t.FirstRespondedAt) })
            .ToListAsync(cancellationToken))
        .Where(t => t.MergedIntoId is null).Select(t => t.Row).ToList();

    /// <summary>
    /// When the tickets changed since <paramref name="watermark"/> were opened: a range of their own index (asked for
    /// the period too, SQLite would prefer the period's index and read every ticket of it).
    /// </summary>
    private static Task<List<DateTime>> ChangedSinceAsync(SportelloDb db, DateTime watermark, CancellationToken cancellationToken) =>
        db.Tickets.AsNoTracking().Where(t => t.UpdatedAt > watermark).Select(t => t.CreatedAt).ToListAsync(cancellationToken);

    // Non-empty ranges, sorted, adjacent and overlapping ones joined.
    private static List<(DateTime From, DateTime To)> Ranges(IEnumerable<(DateTime From, DateTime To)> ranges)
    {
        var joined = new List<(DateTime From, DateTime To)>();
        foreach (var (a, b) in ranges.Where(r => r.From < r.To).OrderBy(r => r.From))
        {
            if (joined.Count > 0 && a <= joined[^1].To)
            {
                joined[^1] = (joined[^1].From, Max(joined[^1].To, b));
            }
            else
            {
                joined.Add((a, b));
            }
        }
        return joined;
    }

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
