using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// A visitor opens a chat: always a waiting one, in the department asked (technical by default), with their first
/// message. Verified only by a site's signed customer token or the Client Area session; a bad token starts nothing.
/// </summary>
public sealed class StartChat(
    SportelloDb db, ChatTranscript transcript, CustomerTokens customerTokens, ChatQueue queue, ChatSignals signals, TimeProvider clock)
{
    public const int MaxBody = 4000;
    public static readonly string[] Departments = [Accounts.Departments.Technical, Accounts.Departments.Financial];

    /// <param name="signedInCustomer">The Client Area customer whose session came with the request, if any.</param>
    public async Task<Outcome<ChatStarted>> HandleAsync(
        StartChatRequest request, Guid? signedInCustomer, string? origin, string? remoteAddress, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var department = string.IsNullOrWhiteSpace(request.Department) ? Accounts.Departments.Technical : request.Department.Trim().ToLowerInvariant();
        if (!Departments.Contains(department))
        {
            errors.Add("department", "department must be 'technical' or 'financial'.");
        }
        var message = request.Message?.Trim() ?? "";
        if (message.Length == 0)
        {
            errors.Add("message", "message is required.");
        }
        else if (message.Length > MaxBody)
        {
            errors.Add("message", "message is at most {0} characters.", MaxBody);
        }
        var name = request.Name?.Trim();
        if (name?.Length > 100)
        {
            errors.Add("name", "name is at most 100 characters.");
        }
        string? email = null;
        if (!string.IsNullOrWhiteSpace(request.Email) && (email = EmailAddresses.Normalize(request.Email)) is null)
        {
            errors.Add("email", "email is not an email address.");
        }
        var customerId = signedInCustomer;
        if (!string.IsNullOrEmpty(request.CustomerToken))
        {
            customerId = customerTokens.Verify(request.CustomerToken, origin);
            if (customerId is null || !await Customers.Query(db).AnyAsync(u => u.Id == customerId, cancellationToken))
            {
                errors.Add("customerToken", "customerToken is not valid: forged, expired, or for no customer.");
            }
        }
        if (errors.Any)
        {
            return Outcome<ChatStarted>.Invalid(errors);
        }
        User? customer = customerId is { } id ? await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken) : null;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = ChatAccess.NewVisitorToken();
        var conversation = new Conversation
        {
            Department = department,
            VisitorTokenHash = ChatAccess.Hash(token),
            // A verified customer is who their account says; an anonymous visitor is who they say, and shown as unverified.
            VisitorName = customer?.Name ?? (string.IsNullOrEmpty(name) ? null : name),
            VisitorEmail = customer?.Email ?? email,
            CustomerId = customer?.Id,
            CreatedAt = now,
            WaitingSince = now,
            RemoteAddress = remoteAddress,
        };
        db.Conversations.Add(conversation);
        var first = await transcript.AppendAsync(conversation, new ChatMessage
        {
            AuthorKind = ChatAuthors.Visitor, AuthorName = conversation.VisitorName ?? "Visitor", Body = message,
        }, cancellationToken);
        signals.Changed(conversation);
        signals.Message(conversation, first);
        return Outcome<ChatStarted>.Ok(new ChatStarted(conversation.Id, token, await queue.PositionAsync(conversation, cancellationToken), conversation.Verified));
    }
}
