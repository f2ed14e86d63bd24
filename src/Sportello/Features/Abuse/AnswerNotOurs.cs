using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// The one-click answer on a case about an address we do not host: each reporter who gave an address and is not a
/// machine is told so once, with where to look instead.
/// </summary>
public sealed class AnswerNotOurs(SportelloDb db, AbuseAccess access, AbuseMails mails, TimeProvider clock)
{
    public Task<Outcome<AbuseCase>?> HandleAsync(Guid agentId, Guid caseId, CancellationToken cancellationToken = default) =>
        AbuseChanges.SaveAsync(db, async () =>
        {
            if (await access.DeskCaseAsync(agentId, caseId, cancellationToken) is not { } abuse)
            {
                return null;
            }
            if (abuse.State != AbuseStates.NotOurs)
            {
                return Outcome<AbuseCase>.Unprocessable(new ValidationErrors().Add("state", "Only a case about an address we do not host can be answered as not ours."));
            }
            if (abuse.NotOursAnsweredAt is not null)
            {
                return Outcome<AbuseCase>.Unprocessable(new ValidationErrors().Add("state", "The reporters have already been answered."));
            }
            var reporters = (await db.AbuseReports.AsNoTracking().Where(r => r.CaseId == abuse.Id && !r.Automatic && r.ReporterEmail != null)
                    .OrderBy(r => r.ReceivedAt).Select(r => new { r.ReporterEmail, r.ReporterName }).ToListAsync(cancellationToken))
                .DistinctBy(r => r.ReporterEmail).Select(r => (r.ReporterEmail!, r.ReporterName)).ToList();
            if (reporters.Count == 0)
            {
                return Outcome<AbuseCase>.Unprocessable(new ValidationErrors().Add("state", "No reporter of this case can be answered (none gave an address, or all are automatic)."));
            }
            var now = clock.GetUtcNow().UtcDateTime;
            abuse.NotOursAnsweredAt = now;
            // Answered: later reports about the address open a case of their own, whose reporters can be answered too.
            abuse.GroupKey = null;
            abuse.Version = Guid.NewGuid();
            db.OutboxMessages.AddRange(await mails.NotOursAsync(abuse, reporters));
            await AbuseAudit.RecordAsync(db, abuse.Id, agentId, AbuseEventKinds.NotOursAnswered, $"{reporters.Count} reporter(s)", now);
            return Outcome<AbuseCase>.Ok(abuse);
        }, cancellationToken);
}
