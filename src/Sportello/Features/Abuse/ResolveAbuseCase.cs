using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>An agent closes a case with the reason (what was found, what the customer did). New reports start a new case.</summary>
public sealed class ResolveAbuseCase(SportelloDb db, AbuseAccess access, TimeProvider clock)
{
    public Task<Outcome<AbuseCase>?> HandleAsync(Guid agentId, Guid caseId, string? reason, CancellationToken cancellationToken = default) =>
        AbuseChanges.SaveAsync(db, async () =>
        {
            if (await access.DeskCaseAsync(agentId, caseId, cancellationToken) is not { } abuse)
            {
                return null;
            }
            var errors = new ValidationErrors();
            AbuseChanges.Text(errors, "reason", reason, RequestSuspension.MaxReason);
            if (abuse.State == AbuseStates.Resolved)
            {
                return Outcome<AbuseCase>.Unprocessable(errors.Add("state", "This case is already resolved."));
            }
            if (errors.Any)
            {
                return Outcome<AbuseCase>.Invalid(errors);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            abuse.State = AbuseStates.Resolved;
            abuse.ResolvedAt = now;
            abuse.Resolution = reason!.Trim();
            abuse.GroupKey = null;
            abuse.Version = Guid.NewGuid();
            await AbuseAudit.RecordAsync(db, abuse.Id, agentId, AbuseEventKinds.Resolved, abuse.Resolution, now);
            return Outcome<AbuseCase>.Ok(abuse);
        }, cancellationToken);
}
