using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Mail;

public sealed record NotificationAddressView(string Address, bool Confirmed, bool Undeliverable);
public sealed record NotificationAddressesView(
    IReadOnlyList<NotificationAddressView> Invoices, IReadOnlyList<NotificationAddressView> Support, IReadOnlyList<NotificationAddressView> Abuse);
/// <summary>A type left out (null) stays as it is; an empty list removes every address of that type.</summary>
public sealed record NotificationAddressesRequest(List<string>? Invoices = null, List<string>? Support = null, List<string>? Abuse = null);

/// <summary>
/// More addresses per type of mail (invoices/orders, support, abuse), besides the registered one. A new address gets
/// a single-use link that expires, and nothing else until the link is opened.
/// </summary>
public sealed class NotificationAddresses(
    SportelloDb db, Outbox outbox, TimeProvider clock, [FromKeyedServices(NotificationAddresses.ThrottleName)] Throttle throttle)
{
    public const int MaxPerType = 10;
    public const string ThrottleName = "AddressConfirmation";
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(48);

    public async Task<NotificationAddressesView> GetAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var rows = await db.NotificationAddresses.AsNoTracking().Where(a => a.UserId == userId)
            .OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
        List<NotificationAddressView> Of(string type) =>
            rows.Where(r => r.Type == type).Select(r => new NotificationAddressView(r.Address, r.ConfirmedAt != null, r.UndeliverableAt != null)).ToList();
        return new NotificationAddressesView(Of(NotificationTypes.Invoices), Of(NotificationTypes.Support), Of(NotificationTypes.Abuse));
    }

    public async Task<Outcome<NotificationAddressesView>> SetAsync(User user, NotificationAddressesRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var wanted = new Dictionary<string, List<string>>();
        foreach (var (type, addresses) in new[] { (NotificationTypes.Invoices, request.Invoices), (NotificationTypes.Support, request.Support), (NotificationTypes.Abuse, request.Abuse) })
        {
            if (addresses is not null)
            {
                wanted[type] = Validate(type, addresses, user, errors);
            }
        }
        if (errors.Any)
        {
            return Outcome<NotificationAddressesView>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var existing = await db.NotificationAddresses.Where(a => a.UserId == user.Id).ToListAsync(cancellationToken);
        foreach (var (type, addresses) in wanted)
        {
            db.NotificationAddresses.RemoveRange(existing.Where(e => e.Type == type && !addresses.Contains(e.Address)));
            foreach (var address in addresses)
            {
                var row = existing.FirstOrDefault(e => e.Type == type && e.Address == address);
                if (row is null)
                {
                    row = new NotificationAddress { Id = Guid.CreateVersion7(), UserId = user.Id, Type = type, Address = address, CreatedAt = now };
                    db.NotificationAddresses.Add(row);
                }
                // A new address, one whose link ran out, or one that bounced gets a fresh link; a pending one is not
                // mailed again. Links are limited per customer, so nobody uses us to mail strangers at will.
                var needsLink = row.ConfirmedAt is null || row.UndeliverableAt is not null;
                if (needsLink && (row.TokenExpiresAt is null || row.TokenExpiresAt < now))
                {
                    if (throttle.TryAcquire(user.Id.ToString()) is not null)
                    {
                        return Outcome<NotificationAddressesView>.Invalid(new ValidationErrors().Add(type,
                            "Too many confirmation links were sent for this account in the last hour; try again later."));
                    }
                    db.OutboxMessages.Add(await ConfirmationAsync(user, row, now));
                }
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<NotificationAddressesView>.Ok(await GetAsync(user.Id, cancellationToken));
    }

    /// <summary>Confirms the address the link was made for; null when the link is unknown, used or expired.</summary>
    public async Task<NotificationAddress?> ConfirmAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!ConfirmationTokens.Plausible(token))
        {
            return null;
        }
        var hash = ConfirmationTokens.Hash(token!);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.NotificationAddresses.FirstOrDefaultAsync(a => a.TokenHash == hash, cancellationToken);
        if (row is null || row.TokenExpiresAt < now)
        {
            return null;
        }
        row.ConfirmedAt = now;
        row.TokenHash = null;
        row.TokenExpiresAt = null;
        row.UndeliverableAt = null;
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }

    private static List<string> Validate(string type, List<string> addresses, User user, ValidationErrors errors)
    {
        var clean = new List<string>();
        if (addresses.Count > MaxPerType)
        {
            errors.Add(type, "{0} has at most {1} addresses.", type, MaxPerType);
        }
        for (var i = 0; i < addresses.Count; i++)
        {
            var address = EmailAddresses.Normalize(addresses[i]);
            if (address is null)
            {
                errors.Add($"{type}[{i}]", "'{0}' is not an email address.", addresses[i]);
            }
            else if (string.Equals(address, user.Email, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{type}[{i}]", "This is your registered address: it receives every notification already.");
            }
            else if (!clean.Contains(address))
            {
                clean.Add(address);
            }
        }
        return clean;
    }

    private async Task<OutboxMessage> ConfirmationAsync(User user, NotificationAddress row, DateTime now)
    {
        var (token, hash) = ConfirmationTokens.New();
        row.TokenHash = hash;
        row.TokenExpiresAt = now + LinkLifetime;
        var to = new Recipient(row.Address, null, user.Language);
        return await outbox.ComposeAsync(Outbox.InLanguage(user.Language, () => new OutgoingMail(
            MailKinds.AddressConfirmation, to, outbox.T("Confirm this address for Sportello notifications"),
            [outbox.T("Hello,"),
             outbox.T("{0} asked to send {1} notifications to this address.", user.Name, outbox.T(TypeLabel(row.Type))),
             outbox.T("Open the link below within 48 hours to confirm. Until then this address receives nothing else; if you did not expect this mail, ignore it.")],
            $"confirm:{row.Id}:{row.TokenHash}", Link: $"{outbox.PublicUrl}/confirm-address/{token}", LinkText: outbox.T("Confirm this address"))));
    }

    public static string TypeLabel(string type) => type switch
    {
        NotificationTypes.Invoices => "Invoices and orders",
        NotificationTypes.Abuse => "Abuse",
        _ => "Support",
    };
}

public static class NotificationAddressesApi
{
    public static RouteGroupBuilder MapNotificationAddressesApi(this RouteGroupBuilder api)
    {
        var account = api.MapGroup("/account").RequireAuthorization(Policies.ApiCustomer).WithTags("Account");
        account.MapGet("/notification-addresses", GetAsync);
        account.MapPut("/notification-addresses", PutAsync);
        return api;
    }

    private static async Task<Ok<NotificationAddressesView>> GetAsync(CurrentUser current, NotificationAddresses addresses, CancellationToken cancellationToken) =>
        TypedResults.Ok(await addresses.GetAsync(current.Id, cancellationToken));

    private static async Task<Results<Ok<NotificationAddressesView>, ValidationProblem>> PutAsync(
        NotificationAddressesRequest request, CurrentUser current, NotificationAddresses addresses, CancellationToken cancellationToken)
    {
        var outcome = await addresses.SetAsync(await current.LoadAsync(cancellationToken), request, cancellationToken);
        return outcome.Value is null ? TypedResults.ValidationProblem(outcome.Errors.ToDictionary()) : TypedResults.Ok(outcome.Value);
    }
}
