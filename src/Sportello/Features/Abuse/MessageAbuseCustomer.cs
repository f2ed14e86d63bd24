using Sportello.Data;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// The abuse desk writes to the customer (asking for more, or telling what happens next): mailed to the customer's
/// abuse addresses, threaded on the case. On a case waiting for the customer it sets a new deadline; on a resolved case
/// it is a message only.
/// </summary>
public sealed class MessageAbuseCustomer(SportelloDb db, AbuseAccess access, AbuseMails mails, Microsoft.Extensions.Options.IOptions<AbuseOptions> options, TimeProvider clock)
{
    public Task<Outcome<AbuseMessage>?> HandleAsync(Guid agentId, Guid caseId, string? body, CancellationToken cancellationToken = default) =>
        AbuseChanges.SaveAsync(db, async () =>
        {
            if (await access.DeskCaseAsync(agentId, caseId, cancellationToken) is not { } abuse)
            {
                return null;
            }
            var errors = new ValidationErrors();
            AbuseChanges.Text(errors, "body", body, AnswerAbuseCase.MaxBody);
            if (abuse.CustomerId is null)
            {
                return Outcome<AbuseMessage>.Unprocessable(errors.Add("state", "This case is about no customer's service: there is nobody to write to."));
            }
            if (errors.Any)
            {
                return Outcome<AbuseMessage>.Invalid(errors);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var agent = await db.Users.FindAsync([agentId], cancellationToken);
            var message = new AbuseMessage
            {
                CaseId = abuse.Id,
                At = now,
                AuthorKind = AuthorKinds.Agent,
                AuthorId = agentId,
                AuthorName = agent!.Name,
                Body = body!.Trim(),
                Trust = SenderTrust.Verified,
                Channel = Channels.Web,
            };
            db.AbuseMessages.Add(message);
            if (abuse.State is AbuseStates.Forwarded or AbuseStates.CustomerResponded or AbuseStates.Escalated)
            {
                abuse.State = AbuseStates.Forwarded;
                abuse.RespondBy = now.AddHours(options.Value.ResponseHours);
            }
            abuse.Version = Guid.NewGuid();
            await AbuseAudit.RecordAsync(db, abuse.Id, agentId, AbuseEventKinds.AgentMessage, abuse.State == AbuseStates.Forwarded ? $"respond by {AbuseAudit.Utc(abuse.RespondBy)}" : null, now);
            db.OutboxMessages.AddRange(await mails.AgentMessageAsync(abuse, message, cancellationToken));
            return Outcome<AbuseMessage>.Ok(message);
        }, cancellationToken);
}
