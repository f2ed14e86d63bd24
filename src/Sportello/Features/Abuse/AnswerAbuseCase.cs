using Sportello.Data;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// The customer answers a case, in the Client Area or by replying to its mail: the answer stops the deadline (the case
/// is <c>customer-responded</c>, also a resolved one, which reopens) and the abuse desk reads it.
/// </summary>
public sealed class AnswerAbuseCase(SportelloDb db, AbuseAccess access, TimeProvider clock)
{
    public const int MaxBody = 50_000;

    /// <summary>Null when the case is not the customer's (404).</summary>
    public Task<Outcome<AbuseMessage>?> AsCustomerAsync(Guid customerId, Guid caseId, string? body, CancellationToken cancellationToken = default) =>
        AbuseChanges.SaveAsync(db, async () =>
        {
            if (await access.CustomerCaseAsync(customerId, caseId, cancellationToken) is not { } abuse)
            {
                return null;
            }
            var errors = new ValidationErrors();
            AbuseChanges.Text(errors, "body", body, MaxBody);
            if (errors.Any)
            {
                return Outcome<AbuseMessage>.Invalid(errors);
            }
            var customer = await db.Users.FindAsync([customerId], cancellationToken);
            return Outcome<AbuseMessage>.Ok(await AppendAsync(abuse, new AbuseMessage
            {
                AuthorKind = AuthorKinds.Customer,
                AuthorId = customerId,
                AuthorName = customer!.Name,
                Body = body!.Trim(),
                Trust = SenderTrust.Verified,
                Channel = Channels.Web,
            }));
        }, cancellationToken);

    /// <summary>Adds the customer's answer to the case in the caller's unit of work (the mail intake's too).</summary>
    public async Task<AbuseMessage> AppendAsync(AbuseCase abuse, AbuseMessage message)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        message.CaseId = abuse.Id;
        message.At = now;
        db.AbuseMessages.Add(message);
        abuse.State = AbuseStates.CustomerResponded;
        abuse.CustomerRespondedAt = now;
        abuse.Version = Guid.NewGuid();
        await AbuseAudit.RecordAsync(db, abuse.Id, message.AuthorId, AbuseEventKinds.CustomerResponded, $"{message.Channel}, {message.Trust}", now);
        return message;
    }
}
