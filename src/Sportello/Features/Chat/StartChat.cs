using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// A visitor opens a chat: always a waiting one, in the department asked (technical by default), with their first
/// message. Verified only by a site's signed customer token or the Client Area session; a bad token starts nothing.
/// </summary>
public sealed class StartChat(
    SportelloDb db, ChatTranscript transcript, ChatVisitor visitor, ChatQueue queue, ChatSignals signals, TimeProvider clock)
{
    public const int MaxBody = 4000;
    public static readonly string[] Departments = [Accounts.Departments.Technical, Accounts.Departments.Financial];

    /// <param name="signedInCustomer">The Client Area customer whose session came with the request, if any.</param>
    public async Task<Outcome<ChatStarted>> HandleAsync(
        StartChatRequest request, Guid? signedInCustomer, string? origin, string? remoteAddress, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var language = string.IsNullOrWhiteSpace(request.Language) ? null : request.Language.Trim().ToLowerInvariant();
        if (language is not (null or "en" or "it"))
        {
            errors.Add("language", "language must be 'en' or 'it'.");
        }
        if (await visitor.ReadAsync(request.Department, request.Message, request.Name, request.Email, request.CustomerToken, signedInCustomer, origin,
                errors, cancellationToken) is not { } details || errors.Any)
        {
            return Outcome<ChatStarted>.Invalid(errors);
        }
        var (department, message, name, email, customerId) = details;
        User? customer = customerId is { } id ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken) : null;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = ChatAccess.NewVisitorToken();
        var conversation = new Conversation
        {
            Department = department,
            VisitorTokenHash = ChatAccess.Hash(token),
            // A verified customer is who their account says; an anonymous visitor is who they say, and shown as unverified.
            VisitorName = customer?.Name ?? name,
            VisitorEmail = customer?.Email ?? email,
            CustomerId = customer?.Id,
            CreatedAt = now,
            WaitingSince = now,
            RemoteAddress = remoteAddress,
            // The widget's language when it says; else the customer's own.
            Language = language ?? customer?.Language ?? "en",
        };
        db.Conversations.Add(conversation);
        var first = await transcript.AppendAsync(conversation, new ChatMessage
        {
            AuthorKind = ChatAuthors.Visitor, AuthorName = conversation.VisitorName ?? "Visitor", Body = message,
        }, cancellationToken);
        signals.Changed(conversation);
        signals.Message(first);
        return Outcome<ChatStarted>.Ok(new ChatStarted(conversation.Id, token, await queue.PositionAsync(conversation, cancellationToken), conversation.Verified));
    }
}
