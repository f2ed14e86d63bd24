using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// An agent records that the service should be suspended, and why. A record only: Sportello does not touch servers;
/// whoever does reads it on the case and in its audit trail.
/// </summary>
public sealed class RequestSuspension(SportelloDb db, AbuseAccess access, TimeProvider clock)
{
    public const int MaxReason = 2000;

    public Task<Outcome<AbuseCase>?> HandleAsync(Guid agentId, Guid caseId, string? reason, CancellationToken cancellationToken = default) =>
        AbuseChanges.SaveAsync(db, async () =>
        {
            if (await access.DeskCaseAsync(agentId, caseId, cancellationToken) is not { } abuse)
            {
                return null;
            }
            var errors = new ValidationErrors();
            AbuseChanges.Text(errors, "reason", reason, MaxReason);
            if (abuse.ServiceId is null)
            {
                return Outcome<AbuseCase>.Unprocessable(errors.Add("state", "This case is about no service of ours: there is nothing to suspend."));
            }
            if (errors.Any)
            {
                return Outcome<AbuseCase>.Invalid(errors);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            abuse.SuspensionRequestedAt = now;
            abuse.SuspensionReason = reason!.Trim();
            abuse.Version = Guid.NewGuid();
            await AbuseAudit.RecordAsync(db, abuse.Id, agentId, AbuseEventKinds.SuspensionRequested, abuse.SuspensionReason, now);
            return Outcome<AbuseCase>.Ok(abuse);
        }, cancellationToken);
}
