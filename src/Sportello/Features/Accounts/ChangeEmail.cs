using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>
/// A pending change of the registered address. The registered address decides who may discuss the account (the seed's
/// rule), so changing it takes the password and a confirmation from both the old and the new address.
/// </summary>
public sealed class EmailChange
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string NewEmail { get; set; } = "";
    public string OldTokenHash { get; set; } = "";
    public string NewTokenHash { get; set; } = "";
    public DateTime? OldConfirmedAt { get; set; }
    public DateTime? NewConfirmedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

internal sealed class EmailChangeConfiguration : IEntityTypeConfiguration<EmailChange>
{
    public void Configure(EntityTypeBuilder<EmailChange> change)
    {
        change.ToTable("EmailChanges");
        change.HasKey(c => c.Id);
        change.Property(c => c.NewEmail).HasMaxLength(254).IsRequired();
        change.Property(c => c.OldTokenHash).HasMaxLength(64).IsRequired();
        change.Property(c => c.NewTokenHash).HasMaxLength(64).IsRequired();
        change.HasIndex(c => c.OldTokenHash).IsUnique();
        change.HasIndex(c => c.NewTokenHash).IsUnique();
        change.HasIndex(c => c.UserId);
        change.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed record EmailChangeRequest(string? NewEmail, string? Password);
public sealed record EmailChangeResponse(string NewEmail, DateTime ExpiresAt);

public enum EmailChangeStep
{
    Invalid,
    WaitingForTheOtherAddress,
    Completed,
}

public sealed class ChangeEmail(SportelloDb db, UserManager<User> users, Outbox outbox, TimeProvider clock, PasswordReentry reentry, ApiTokens tokens)
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(48);

    public async Task<Outcome<EmailChangeResponse>> RequestAsync(User user, EmailChangeRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var email = Profile.NormalizeEmail(request.NewEmail);
        if (email is null)
        {
            errors.Add("newEmail", string.IsNullOrWhiteSpace(request.NewEmail) ? "newEmail is required." : "newEmail is not a valid address.");
        }
        else if (string.Equals(email, user.Email, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("newEmail", "This is already your registered address.");
        }
        else if (await users.FindByEmailAsync(email) is not null)
        {
            errors.Add("newEmail", "Another account uses this address.");
        }
        // Wrong passwords count towards the lockout, as at sign-in: a stolen session cannot guess at leisure.
        await reentry.CheckAsync(user, request.Password, errors, "password");
        if (errors.Any)
        {
            return Outcome<EmailChangeResponse>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // One change at a time: a new request replaces any pending one and its links.
        await CancelPendingAsync(user.Id, cancellationToken);
        var (oldToken, oldHash) = ConfirmationTokens.New();
        var (newToken, newHash) = ConfirmationTokens.New();
        var change = new EmailChange
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, NewEmail = email!, OldTokenHash = oldHash, NewTokenHash = newHash,
            CreatedAt = now, ExpiresAt = now + LinkLifetime,
        };
        db.EmailChanges.Add(change);
        db.OutboxMessages.Add(await MailAsync(user, user.Email!, change, oldToken,
            "Someone, hopefully you, asked to change the registered address of your Sportello account from {0} to {1}. Open the link to agree; the change happens once both addresses have confirmed. If it was not you, ignore this mail and change your password."));
        db.OutboxMessages.Add(await MailAsync(user, email!, change, newToken,
            "The Sportello account of {2} asked to use this address as its registered address, instead of {0}. Open the link to confirm; the change happens once both addresses have confirmed."));
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<EmailChangeResponse>.Ok(new EmailChangeResponse(change.NewEmail, change.ExpiresAt));
    }

    public async Task<EmailChangeStep> ConfirmAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!ConfirmationTokens.Plausible(token))
        {
            return EmailChangeStep.Invalid;
        }
        var hash = ConfirmationTokens.Hash(token!);
        var now = clock.GetUtcNow().UtcDateTime;
        var change = await db.EmailChanges
            .FirstOrDefaultAsync(c => (c.OldTokenHash == hash && c.OldConfirmedAt == null) || (c.NewTokenHash == hash && c.NewConfirmedAt == null), cancellationToken);
        if (change is null || change.CompletedAt is not null || change.ExpiresAt < now)
        {
            return EmailChangeStep.Invalid;
        }
        if (change.OldTokenHash == hash)
        {
            change.OldConfirmedAt = now;
        }
        else
        {
            change.NewConfirmedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (change.OldConfirmedAt is null || change.NewConfirmedAt is null)
        {
            // The other link may have been opened at the same moment: look again at what is stored.
            var stored = await db.EmailChanges.AsNoTracking().SingleAsync(c => c.Id == change.Id, cancellationToken);
            if (stored.OldConfirmedAt is null || stored.NewConfirmedAt is null)
            {
                return EmailChangeStep.WaitingForTheOtherAddress;
            }
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Only one of two simultaneous confirmations completes the change.
        if (await db.EmailChanges.Where(c => c.Id == change.Id && c.CompletedAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.CompletedAt, now), cancellationToken) == 0)
        {
            return EmailChangeStep.Completed;
        }
        var user = await users.FindByIdAsync(change.UserId.ToString());
        if (user is null || await users.FindByEmailAsync(change.NewEmail) is not null)
        {
            return EmailChangeStep.Invalid;
        }
        user.Email = change.NewEmail;
        user.UserName = change.NewEmail;
        await users.UpdateNormalizedEmailAsync(user);
        await users.UpdateNormalizedUserNameAsync(user);
        // Renews the security stamp and saves: every session signed in under the old address ends, and so does every API token.
        var result = await users.UpdateSecurityStampAsync(user);
        if (!result.Succeeded)
        {
            return EmailChangeStep.Invalid;
        }
        await tokens.RevokeAllAsync(user.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return EmailChangeStep.Completed;
    }

    /// <summary>Kills a pending change's links: a new request replaces it, and a password change ends it (whoever asked knew the old password).</summary>
    public Task<int> CancelPendingAsync(Guid userId, CancellationToken cancellationToken = default) =>
        db.EmailChanges.Where(c => c.UserId == userId && c.CompletedAt == null).ExecuteDeleteAsync(cancellationToken);

    private async Task<OutboxMessage> MailAsync(User user, string to, EmailChange change, string token, string text) =>
        await outbox.ComposeAsync(Outbox.InLanguage(user.Language, () => new OutgoingMail(
            MailKinds.EmailChange, new Recipient(to, user.Name, user.Language), outbox.T("Confirm the change of your registered address"),
            [outbox.T("Hello {0},", user.Name), outbox.T(text, user.Email!, change.NewEmail, user.Name), outbox.T("The link is valid for 48 hours.")],
            $"email-change:{change.Id}:{to}", Link: $"{outbox.PublicUrl}/confirm-email-change/{token}", LinkText: outbox.T("Confirm the change"))));
}
