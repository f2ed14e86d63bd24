using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound.Intake;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>A visitor's request for their chat's transcript by email; an anonymous visitor's waits for the address's own confirmation.</summary>
public sealed class ChatTranscriptRequest
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ConversationId { get; set; }
    public string Email { get; set; } = "";
    public string Language { get; set; } = "en";
    /// <summary>SHA-256 of the confirmation link's token; null when no confirmation was needed (a verified customer's registered address).</summary>
    public string? TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? SentAt { get; set; }
}

internal sealed class ChatTranscriptRequestConfiguration : IEntityTypeConfiguration<ChatTranscriptRequest>
{
    public void Configure(EntityTypeBuilder<ChatTranscriptRequest> request)
    {
        request.ToTable("ChatTranscriptRequests");
        request.HasKey(r => r.Id);
        request.Property(r => r.Email).HasMaxLength(320).IsRequired();
        request.Property(r => r.Language).HasMaxLength(5).IsRequired();
        request.Property(r => r.TokenHash).HasMaxLength(64);
        request.HasIndex(r => r.TokenHash).IsUnique();
        request.HasIndex(r => r.ConversationId);
        request.HasOne<Conversation>().WithMany().HasForeignKey(r => r.ConversationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed record ChatTranscriptRequestBody(string? Email, string? Language);

/// <summary><c>sent</c> (on its way to a verified customer's registered address) or <c>confirmation-sent</c> (the address must confirm first).</summary>
public sealed record ChatTranscriptRequested(string Email, string Status);

public enum TranscriptConfirmation
{
    Invalid,
    Sent,
}

/// <summary>
/// The visitor asks for the chat's transcript by email (public messages and file names; never internal notes). A
/// verified customer's goes to their registered address at once, whatever address is typed: account matters reach only
/// the registered address. An anonymous visitor's goes to the address they give only after that address confirms, by a
/// single-use link valid for a day, so a chat cannot be used to mail strangers; asking spends the same per-address
/// budget as a stranger's mail, and a chat may ask at most <see cref="MaxRequests"/> times.
/// </summary>
public sealed class EmailChatTranscript(SportelloDb db, ChatAccess access, Outbox outbox, AnswerBudget budget, TimeProvider clock)
{
    public const int MaxRequests = 3;
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);
    public const string Sent = "sent";
    public const string ConfirmationSent = "confirmation-sent";

    public async Task<Outcome<ChatTranscriptRequested>?> RequestAsync(
        Guid conversationId, string? visitorToken, ChatTranscriptRequestBody body, CancellationToken cancellationToken = default)
    {
        if (await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is not { } conversation)
        {
            return null;
        }
        var errors = new ValidationErrors();
        var language = body.Language?.Trim().ToLowerInvariant() ?? "en";
        if (language is not ("en" or "it"))
        {
            errors.Add("language", "language must be 'en' or 'it'.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.ChatTranscriptRequests.CountAsync(r => r.ConversationId == conversationId, cancellationToken) >= MaxRequests)
        {
            errors.Add("email", "This chat's transcript was already asked for {0} times.", MaxRequests);
        }
        if (conversation.CustomerId is { } customerId)
        {
            if (errors.Any)
            {
                return Outcome<ChatTranscriptRequested>.Invalid(errors);
            }
            var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
            var request = new ChatTranscriptRequest
            {
                ConversationId = conversationId, Email = customer.Email!, Language = customer.Language, CreatedAt = now, ExpiresAt = now, SentAt = now,
            };
            db.ChatTranscriptRequests.Add(request);
            db.OutboxMessages.Add(await TranscriptMailAsync(conversation, request, customer.Name, customer.TimeZone, cancellationToken));
            await db.SaveChangesAsync(cancellationToken);
            return Outcome<ChatTranscriptRequested>.Ok(new ChatTranscriptRequested(request.Email, Sent));
        }

        var typed = string.IsNullOrWhiteSpace(body.Email) ? conversation.VisitorEmail : body.Email;
        var email = EmailAddresses.Normalize(typed);
        if (email is null)
        {
            errors.Add("email", string.IsNullOrWhiteSpace(typed) ? "email is required: the transcript is sent to it." : "email is not an email address.");
        }
        if (errors.Any)
        {
            return Outcome<ChatTranscriptRequested>.Invalid(errors);
        }
        if (!await budget.TrySpendAsync(email!, now, cancellationToken))
        {
            return Outcome<ChatTranscriptRequested>.Invalid(errors.Add("email", "Too many mails to this address for now: try again later."));
        }
        var (token, hash) = ConfirmationTokens.New();
        var pending = new ChatTranscriptRequest
        {
            ConversationId = conversationId, Email = email!, Language = language, TokenHash = hash, CreatedAt = now, ExpiresAt = now + LinkLifetime,
        };
        db.ChatTranscriptRequests.Add(pending);
        db.OutboxMessages.Add(await outbox.ComposeAsync(Outbox.InLanguage(language, () => new OutgoingMail(
            MailKinds.ChatTranscriptConfirmation, new Recipient(email!, conversation.VisitorName, language), outbox.T("Confirm: send the chat transcript here"),
            [outbox.T("Someone, hopefully you, asked for the transcript of a live chat with our support to be sent to this address."),
                outbox.T("Open the link to confirm and receive it. If it was not you, ignore this mail: nothing will be sent."), outbox.T("The link is valid for 24 hours.")],
            $"chat-transcript-confirm:{pending.Id}", Link: $"{outbox.PublicUrl}/chat/transcript/{token}", LinkText: outbox.T("Send me the transcript")))));
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<ChatTranscriptRequested>.Ok(new ChatTranscriptRequested(email!, ConfirmationSent));
    }

    /// <summary>The link was opened and its button pressed: the transcript goes out, once.</summary>
    public async Task<TranscriptConfirmation> ConfirmAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!ConfirmationTokens.Plausible(token))
        {
            return TranscriptConfirmation.Invalid;
        }
        var hash = ConfirmationTokens.Hash(token!);
        var now = clock.GetUtcNow().UtcDateTime;
        var request = await db.ChatTranscriptRequests.FirstOrDefaultAsync(r => r.TokenHash == hash, cancellationToken);
        if (request is null || request.SentAt is not null || request.ExpiresAt < now)
        {
            return TranscriptConfirmation.Invalid;
        }
        var conversation = await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == request.ConversationId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Two presses at once send one mail.
        if (await db.ChatTranscriptRequests.Where(r => r.Id == request.Id && r.SentAt == null)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.SentAt, now), cancellationToken) == 0)
        {
            return TranscriptConfirmation.Invalid;
        }
        db.OutboxMessages.Add(await TranscriptMailAsync(conversation, request, conversation.VisitorName, "UTC", cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TranscriptConfirmation.Sent;
    }

    private async Task<OutboxMessage> TranscriptMailAsync(Conversation conversation, ChatTranscriptRequest request, string? name, string timeZone, CancellationToken cancellationToken)
    {
        var messages = await db.ChatMessages.AsNoTracking().Include(m => m.Attachments)
            .Where(m => m.ConversationId == conversation.Id && !m.Internal).OrderBy(m => m.Seq).ToListAsync(cancellationToken);
        return await outbox.ComposeAsync(Outbox.InLanguage(request.Language, () =>
        {
            var lines = new List<string> { outbox.T("Here is the transcript of your live chat with our support, as you asked.") };
            foreach (var m in messages)
            {
                var who = m.AuthorKind == ChatAuthors.System ? "Sportello" : m.AuthorName;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{Display.LocalTime(m.CreatedAt, timeZone)} {who}: {EscalateChat.Said(m)}"));
            }
            return new OutgoingMail(MailKinds.ChatTranscript, new Recipient(request.Email, name, request.Language, timeZone),
                outbox.T("Your chat with support ({0})", Display.LocalTime(conversation.CreatedAt, timeZone)), lines, $"chat-transcript:{request.Id}");
        }));
    }
}
