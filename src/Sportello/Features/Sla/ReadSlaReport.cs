using Microsoft.EntityFrameworkCore;
using NodaTime;
using Sportello.Data;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Sla;

/// <summary>The first-response report for a period: the API's instants, the admin page's whole days, the dashboard's last 30 days.</summary>
public sealed class ReadSlaReport(SportelloDb db, SlaRollupCache cache, TimeProvider clock)
{
    /// <summary>From and to as instants (the API): 400 naming <c>from</c>/<c>to</c> when out of range.</summary>
    public async Task<Outcome<SlaReport.Report>> BetweenAsync(DateTime? from, DateTime? to, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new ValidationErrors();
        if (SlaPeriod.Resolve(from, to, now, errors) is not var (start, end))
        {
            return Outcome<SlaReport.Report>.Invalid(errors);
        }
        return Outcome<SlaReport.Report>.Ok(await ReadAsync(start, end, now, cancellationToken));
    }

    /// <summary>Whole days in the reader's zone (the page), kept within range: the days read, and the report.</summary>
    public async Task<(DateOnly From, DateOnly To, SlaReport.Report Report)> DaysAsync(
        DateOnly from, DateOnly to, DateTimeZone zone, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        (from, to, var start, var end) = SlaPeriod.Days(from, to, zone, now);
        return (from, to, await ReadAsync(start, end, now, cancellationToken));
    }

    public Task<SlaReport.Report> LastDaysAsync(int days, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return ReadAsync(now.AddDays(-days), now, now, cancellationToken);
    }

    private async Task<SlaReport.Report> ReadAsync(DateTime from, DateTime to, DateTime now, CancellationToken cancellationToken)
    {
        var reading = await SlaRollup.ReadAsync(db, cache, from, to, now, cancellationToken);
        var chats = await db.Conversations.AsNoTracking()
            .Where(c => c.CreatedAt >= from && c.CreatedAt < to)
            .Select(c => new SlaReport.ChatRow(c.CreatedAt, c.AcceptedAt, c.ClosedAt, c.Rating))
            .ToListAsync(cancellationToken);
        var pickup = await db.SlaPolicies.Where(p => p.Channel == Channels.Chat && p.Priority == Priorities.Normal)
            .Select(p => p.PickupSeconds).FirstOrDefaultAsync(cancellationToken);
        return SlaReport.Build(from, to, reading.Tallies(now), reading.Overall(now), now) with { Chat = SlaReport.BuildChat(chats, pickup ?? ChatPickup.DefaultSeconds, now) };
    }
}
