using Microsoft.Extensions.Caching.Memory;

namespace Sportello.Features.Sla;

/// <summary>
/// The roll-up's hours and days as the report reads them, parsed, kept per node by the revision that wrote them. A
/// roll-up writes every row of an hour or a day it counts again under its own new revision, and never changes a row
/// after: a period read once at a revision is that period for as long as it keeps it. So a month's report reads only
/// each period's revision from the database, and its histograms only for the periods counted since the last report.
/// The report's settled days are kept summed too, under the days and revisions they were added from. Rows with no
/// revision (written by a node of the version before, during a rolling upgrade) are never kept.
/// </summary>
public sealed class SlaRollupCache : IDisposable
{
    /// <summary>
    /// At most this many histogram entries (a response time and its count, 16 bytes) kept: 64 MB. A day of the
    /// 5,000,000-ticket bench holds about 3,200 over its groups and as many again in its sum over them, so this is a
    /// year of days and their months' sums; the least recently read go first.
    /// </summary>
    private const long MostEntries = 4_000_000;
    /// <summary>A period no report has read for this long is let go (a month's report reads its periods every time).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromHours(2);

    private readonly MemoryCache periods = new(new MemoryCacheOptions { SizeLimit = MostEntries });

    /// <summary>A period kept under <paramref name="key"/>: an hour or a day and its revision, or a report's days and theirs.</summary>
    public bool TryGet(object key, out SlaRollup.Period period) => periods.TryGetValue(key, out period!);

    /// <summary>Keeps a period under a key that names everything it was read from: its rows' revisions.</summary>
    public void Keep(object key, SlaRollup.Period period) =>
        periods.Set(key, period, new MemoryCacheEntryOptions
        {
            Size = 1 + period.Overall.Responses.Count + period.Tallies.Sum(t => t.Tally.Responses.Count),
            SlidingExpiration = Idle,
        });

    public void Dispose() => periods.Dispose();
}
