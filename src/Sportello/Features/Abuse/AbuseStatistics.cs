using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

public sealed record AbuseCount(string Key, string? Label, int Cases, int Reports);

/// <summary>Cases opened in [from, to), counted per customer, per service and per type, the most first: a repeat offender stands out.</summary>
public sealed record AbuseStatisticsView(DateOnly From, DateOnly To, int Cases, int Reports,
    IReadOnlyList<AbuseCount> ByCustomer, IReadOnlyList<AbuseCount> ByService, IReadOnlyList<AbuseCount> ByType);

public sealed class AbuseStatistics(SportelloDb db, AbuseAccess access, TimeProvider clock)
{
    public const int MaxDays = 366;
    private const int Top = 20;

    /// <summary>The period's figures; null for someone who does not work the abuse desk (404). Default: the last 30 days.</summary>
    public async Task<Outcome<AbuseStatisticsView>?> HandleAsync(Guid userId, string? from, string? to, CancellationToken cancellationToken = default)
    {
        if (!await access.WorksAbuseAsync(userId, cancellationToken))
        {
            return null;
        }
        var errors = new ValidationErrors();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var end = Day(errors, "to", to) ?? today.AddDays(1);
        var start = Day(errors, "from", from) ?? end.AddDays(-30);
        if (!errors.Any && (start >= end || end.DayNumber - start.DayNumber > MaxDays))
        {
            errors.Add("from", "from must be before to, and the period at most {0} days.", MaxDays);
        }
        if (errors.Any)
        {
            return Outcome<AbuseStatisticsView>.Invalid(errors);
        }
        var (since, until) = (start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), end.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
        var cases = db.AbuseCases.AsNoTracking().Where(c => c.CreatedAt >= since && c.CreatedAt < until);
        var byType = await cases.GroupBy(c => c.Type).Select(g => new { g.Key, Cases = g.Count(), Reports = g.Sum(c => c.Reports) }).ToListAsync(cancellationToken);
        var byCustomer = await cases.Where(c => c.CustomerId != null).GroupBy(c => c.CustomerId)
            .Select(g => new { g.Key, Cases = g.Count(), Reports = g.Sum(c => c.Reports) })
            .OrderByDescending(g => g.Cases).ThenByDescending(g => g.Reports).Take(Top).ToListAsync(cancellationToken);
        var byService = await cases.Where(c => c.ServiceId != null).GroupBy(c => c.ServiceId)
            .Select(g => new { g.Key, Cases = g.Count(), Reports = g.Sum(c => c.Reports) })
            .OrderByDescending(g => g.Cases).ThenByDescending(g => g.Reports).Take(Top).ToListAsync(cancellationToken);
        var customerIds = byCustomer.Select(c => c.Key!.Value).ToList();
        var names = await db.Users.AsNoTracking().Where(u => customerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var serviceIds = byService.Select(s => s.Key!.Value).ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => $"{s.Name} (#{s.OrderNumber})", cancellationToken);
        return Outcome<AbuseStatisticsView>.Ok(new AbuseStatisticsView(start, end, byType.Sum(t => t.Cases), byType.Sum(t => t.Reports),
            byCustomer.Select(c => new AbuseCount(c.Key!.Value.ToString(), names.GetValueOrDefault(c.Key.Value), c.Cases, c.Reports)).ToList(),
            byService.Select(s => new AbuseCount(s.Key!.Value.ToString(), services.GetValueOrDefault(s.Key.Value), s.Cases, s.Reports)).ToList(),
            byType.OrderByDescending(t => t.Cases).ThenBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => new AbuseCount(t.Key, AbuseLabels.Type(t.Key), t.Cases, t.Reports)).ToList()));
    }

    private static DateOnly? Day(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
            && day.Year is >= 2000 and <= 9000)
        {
            return day;
        }
        errors.Add(field, "{0} must be a date written yyyy-MM-dd, between the years 2000 and 9000.", field);
        return null;
    }
}
