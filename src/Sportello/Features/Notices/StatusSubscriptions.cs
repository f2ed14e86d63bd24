using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound.Intake;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>
/// Someone (a customer or not) who asked to be mailed the public status of a location, of a product, or of everything
/// (both empty). It counts only once the address confirmed it; unsubscribing deletes it.
/// </summary>
public sealed class StatusSubscription
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Email { get; set; } = "";
    public string Language { get; set; } = "en";
    /// <summary>The location followed, or "" (with <see cref="Product"/> "" too: every public notice).</summary>
    public string Location { get; set; } = "";
    public string Product { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    /// <summary>SHA-256 of the confirmation link's token, until it is used.</summary>
    public string? ConfirmTokenHash { get; set; }
    public DateTime ConfirmExpiresAt { get; set; }
    public DateTime? ConfirmedAt { get; set; }
    /// <summary>The secret of the unsubscribe link in every mail (random; it can do nothing but unsubscribe).</summary>
    public string UnsubscribeToken { get; set; } = "";
}

internal sealed class StatusSubscriptionConfiguration : IEntityTypeConfiguration<StatusSubscription>
{
    public void Configure(EntityTypeBuilder<StatusSubscription> subscription)
    {
        subscription.ToTable("StatusSubscriptions");
        subscription.HasKey(s => s.Id);
        subscription.Property(s => s.Email).HasMaxLength(320).IsRequired();
        subscription.Property(s => s.Language).HasMaxLength(5).IsRequired();
        subscription.Property(s => s.Location).HasMaxLength(100).IsRequired();
        subscription.Property(s => s.Product).HasMaxLength(100).IsRequired();
        subscription.Property(s => s.ConfirmTokenHash).HasMaxLength(64);
        subscription.Property(s => s.UnsubscribeToken).HasMaxLength(64).IsRequired();
        subscription.HasIndex(s => new { s.Email, s.Location, s.Product }).IsUnique();
        subscription.HasIndex(s => s.ConfirmTokenHash).IsUnique();
        subscription.HasIndex(s => s.UnsubscribeToken).IsUnique();
    }
}

/// <summary><c>POST /status/subscriptions</c> and the status page's form: a location, or a product, or neither (everything).</summary>
public sealed record StatusSubscriptionRequest(string? Email, string? Location, string? Product, string? Language);

/// <summary>Always the same answer, whether the address was new, pending or already subscribed: it tells nobody who follows what.</summary>
public sealed record StatusSubscriptionRequested(string Email, string Status);

public enum StatusLinkResult
{
    Invalid,
    Done,
}

/// <summary>
/// Email subscriptions to the public status. Double opt-in: subscribing only mails a confirmation link (single use,
/// valid <see cref="LinkLifetime"/>; opening it shows a button, pressing it confirms, because mail scanners open
/// links), and asking spends the address's stranger mail budget, so the form cannot be used to mail-bomb anyone.
/// Every status mail carries a one-click unsubscribe (RFC 8058), which deletes the subscription.
/// </summary>
public sealed class StatusSubscriptions(SportelloDb db, Outbox outbox, AnswerBudget budget, TimeProvider clock)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);
    public const string ConfirmationSent = "confirmation-sent";
    /// <summary>Subscription requests per IP address and minute (<c>Sportello:RateLimits:StatusSubscribe</c>), beside each address's mail budget.</summary>
    public const string Throttle = "StatusSubscribe";
    public const string ConfirmPath = "/status/subscriptions/confirm/";
    public const string UnsubscribePath = "/status/unsubscribe/";

    public async Task<Outcome<StatusSubscriptionRequested>> SubscribeAsync(StatusSubscriptionRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var email = EmailAddresses.Normalize(request.Email);
        if (email is null)
        {
            errors.Add("email", string.IsNullOrWhiteSpace(request.Email) ? "email is required." : "email is not an email address.");
        }
        var language = string.IsNullOrWhiteSpace(request.Language) ? "en" : request.Language.Trim().ToLowerInvariant();
        if (language is not ("en" or "it"))
        {
            errors.Add("language", "language must be 'en' or 'it'.");
        }
        var location = request.Location?.Trim() ?? "";
        var product = request.Product?.Trim() ?? "";
        if (location.Length > 0 && product.Length > 0)
        {
            errors.Add("product", "Follow a location or a product, not both.");
        }
        else if (location.Length > 0 && !await db.Services.AnyAsync(s => s.Location == location, cancellationToken))
        {
            errors.Add("location", "location is not one of ours.");
        }
        else if (product.Length > 0 && !await db.Services.AnyAsync(s => s.Product == product, cancellationToken))
        {
            errors.Add("product", "product is not one of ours.");
        }
        if (errors.Any)
        {
            return Outcome<StatusSubscriptionRequested>.Invalid(errors);
        }
        var answer = Outcome<StatusSubscriptionRequested>.Ok(new StatusSubscriptionRequested(email!, ConfirmationSent));
        var now = clock.GetUtcNow().UtcDateTime;
        var subscription = await db.StatusSubscriptions.FirstOrDefaultAsync(
            s => s.Email == email && s.Location == location && s.Product == product, cancellationToken);
        if (subscription?.ConfirmedAt is not null)
        {
            // Already subscribed: nothing to confirm, and the answer does not say so.
            return answer;
        }
        if (!await budget.TrySpendAsync(email!, now, cancellationToken))
        {
            return Outcome<StatusSubscriptionRequested>.Invalid(errors.Add("email", "Too many mails to this address for now: try again later."));
        }
        if (subscription is null)
        {
            subscription = new StatusSubscription { Email = email!, Location = location, Product = product, CreatedAt = now, UnsubscribeToken = ConfirmationTokens.New().Token };
            db.StatusSubscriptions.Add(subscription);
        }
        var (token, hash) = ConfirmationTokens.New();
        subscription.Language = language;
        subscription.ConfirmTokenHash = hash;
        subscription.ConfirmExpiresAt = now + LinkLifetime;
        db.OutboxMessages.Add(await outbox.ComposeAsync(Outbox.InLanguage(language, () => new OutgoingMail(
            MailKinds.StatusSubscriptionConfirmation, new Recipient(email!, null, language), outbox.T("Confirm: service status by email"),
            [outbox.T("Someone, hopefully you, asked for the service status of {0} to be mailed to this address.", What(subscription)),
                outbox.T("Open the link to confirm. If it was not you, ignore this mail: nothing will be sent."), outbox.T("The link is valid for 24 hours.")],
            $"status-subscribe:{hash}", Link: outbox.PublicUrl + ConfirmPath + token, LinkText: outbox.T("Confirm the subscription")))));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (subscription.ConfirmedAt is null)
        {
            // The same address asked twice at once: the other request's mail is on its way.
        }
        return answer;
    }

    /// <summary>The confirmation link's button: the subscription counts from now on, once.</summary>
    public async Task<StatusLinkResult> ConfirmAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!ConfirmationTokens.Plausible(token))
        {
            return StatusLinkResult.Invalid;
        }
        var hash = ConfirmationTokens.Hash(token!);
        var now = clock.GetUtcNow().UtcDateTime;
        var confirmed = await db.StatusSubscriptions.Where(s => s.ConfirmTokenHash == hash && s.ConfirmedAt == null && s.ConfirmExpiresAt >= now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ConfirmedAt, now).SetProperty(x => x.ConfirmTokenHash, (string?)null), cancellationToken);
        return confirmed == 1 ? StatusLinkResult.Done : StatusLinkResult.Invalid;
    }

    /// <summary>The unsubscribe link (a button, or a mail client's one-click POST): the subscription is deleted.</summary>
    public async Task<StatusLinkResult> UnsubscribeAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!ConfirmationTokens.Plausible(token))
        {
            return StatusLinkResult.Invalid;
        }
        return await db.StatusSubscriptions.Where(s => s.UnsubscribeToken == token).ExecuteDeleteAsync(cancellationToken) == 1
            ? StatusLinkResult.Done : StatusLinkResult.Invalid;
    }

    /// <summary>What a subscription follows, in the current language.</summary>
    public string What(StatusSubscription subscription) =>
        subscription.Location.Length > 0 ? outbox.T("the location {0}", subscription.Location)
        : subscription.Product.Length > 0 ? outbox.T("the product {0}", subscription.Product)
        : outbox.T("all our services");
}
