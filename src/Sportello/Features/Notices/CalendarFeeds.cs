using System.Security.Cryptography;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>A customer's private calendar link: found by the hash of its secret, shown again from its protected copy.</summary>
public sealed class CalendarKey
{
    public Guid UserId { get; set; }
    public string TokenHash { get; set; } = "";
    /// <summary>The secret, encrypted with the shared Data Protection keys, so the account page can show the link again.</summary>
    public string TokenProtected { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed record CalendarLink(string Url, DateTime CreatedAt);

/// <summary>
/// The private iCal feed of the maintenance and changes that affect a customer's own services: a secret, random URL
/// (256 bits) per customer, shown on the account page; making a new one or revoking it makes the old URL answer 404.
/// Cancelled work stays in the feed as cancelled, so calendars remove it.
/// </summary>
public sealed class CalendarFeeds(SportelloDb db, TimeProvider clock, IDataProtectionProvider protection, IOptions<SportelloOptions> options,
    IStringLocalizer<Text> text)
{
    public const string Prefix = "/calendar/";
    private readonly IDataProtector protector = protection.CreateProtector("Sportello.Notices.CalendarFeeds");

    public async Task<CalendarLink?> FindAsync(Guid userId, CancellationToken cancellationToken = default) =>
        await db.CalendarKeys.AsNoTracking().FirstOrDefaultAsync(k => k.UserId == userId, cancellationToken) is { } key ? Link(key) : null;

    /// <summary>A new secret link; the previous one, if any, stops working.</summary>
    public async Task<CalendarLink> RenewAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var key = await db.CalendarKeys.FirstOrDefaultAsync(k => k.UserId == userId, cancellationToken);
        if (key is null)
        {
            key = new CalendarKey { UserId = userId };
            db.CalendarKeys.Add(key);
        }
        key.TokenHash = Hash(token);
        key.TokenProtected = protector.Protect(token);
        key.CreatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return Link(key);
    }

    public async Task<bool> RevokeAsync(Guid userId, CancellationToken cancellationToken = default) =>
        await db.CalendarKeys.Where(k => k.UserId == userId).ExecuteDeleteAsync(cancellationToken) > 0;

    /// <summary>The calendar behind <paramref name="token"/>; null (404) for a token that is not, or no longer, anyone's.</summary>
    public async Task<string?> CalendarAsync(string token, CancellationToken cancellationToken = default)
    {
        if (token.Length is < 20 or > 100)
        {
            return null;
        }
        var hash = Hash(token);
        if (await db.CalendarKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TokenHash == hash, cancellationToken) is not { } key
            || await db.Users.AsNoTracking().Where(u => u.Id == key.UserId).Select(u => new { u.Language }).FirstOrDefaultAsync(cancellationToken) is not { } user)
        {
            return null;
        }
        var language = user.Language == "it" ? "it" : "en";
        var notices = await (from r in db.NoticeRecipients
                             join n in db.Notices on r.NoticeId equals n.Id
                             where r.CustomerId == key.UserId && n.Kind != NoticeKinds.Incident
                             select n).AsNoTracking().ToListAsync(cancellationToken);
        var updates = (await db.NoticeUpdates.AsNoTracking().Where(u => notices.Select(n => n.Id).Contains(u.NoticeId))
            .Select(u => u.NoticeId).ToListAsync(cancellationToken)).CountBy(id => id).ToDictionary();
        var domain = new Uri(options.Value.PublicUrl ?? "http://localhost").Host;
        var calendar = new Calendar { ProductId = "-//Sportello//Service notices//EN" };
        calendar.AddProperty("X-WR-CALNAME", Outbox.InLanguage(language, () => text["Maintenance of your services"].Value));
        foreach (var notice in notices.OrderBy(n => n.StartsAt))
        {
            var services = await NoticeTargets.Affected(db.Services.AsNoTracking(), notice).Where(s => s.CustomerId == key.UserId)
                .Select(s => s.Name).OrderBy(s => s).ToListAsync(cancellationToken);
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"{notice.Id:N}@{domain}",
                Summary = notice.Title(language),
                Description = $"{notice.Body(language)}\n\n{string.Join(", ", services)}".Trim(),
                DtStart = new CalDateTime(DateTime.SpecifyKind(notice.StartsAt, DateTimeKind.Utc)),
                DtEnd = new CalDateTime(DateTime.SpecifyKind(notice.EndsAt ?? notice.StartsAt.AddHours(1), DateTimeKind.Utc)),
                DtStamp = new CalDateTime(DateTime.SpecifyKind(notice.CreatedAt, DateTimeKind.Utc)),
                Sequence = updates.GetValueOrDefault(notice.Id, 1) - 1,
                Status = notice.Status == NoticeStatuses.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
            });
        }
        return new CalendarSerializer().SerializeToString(calendar);
    }

    private CalendarLink Link(CalendarKey key) =>
        new($"{(options.Value.PublicUrl ?? "").TrimEnd('/')}{Prefix}{protector.Unprotect(key.TokenProtected)}.ics", DateTime.SpecifyKind(key.CreatedAt, DateTimeKind.Utc));

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
