using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// A report nobody could read an address from (<c>new</c>) gets one from an agent who read it: the case is then matched
/// like any report, forwarded to the customer whose service holds the address with the report's evidence and a
/// deadline, or marked <c>not-ours</c>.
/// </summary>
public sealed class AssignAbuseAddress(SportelloDb db, AbuseAccess access, AbuseMails mails, IOptions<AbuseOptions> options, TimeProvider clock)
{
    public Task<Outcome<AbuseCase>?> HandleAsync(Guid agentId, Guid caseId, string? ip, CancellationToken cancellationToken = default) =>
        AbuseChanges.SaveAsync(db, async () =>
        {
            if (await access.DeskCaseAsync(agentId, caseId, cancellationToken) is not { } abuse)
            {
                return null;
            }
            var errors = new ValidationErrors();
            var address = SubmitAbuseReport.PublicAddress(errors, "ip", ip);
            if (abuse.State != AbuseStates.New)
            {
                return Outcome<AbuseCase>.Unprocessable(errors.Add("state", "Only a new case, about no address yet, takes one."));
            }
            if (errors.Any)
            {
                return Outcome<AbuseCase>.Invalid(errors);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var service = await HostedAddresses.FirstAsync(db, [address!], cancellationToken) is { } hosted
                ? await db.Services.AsNoTracking().SingleAsync(s => s.Id == hosted.ServiceId, cancellationToken) : null;
            abuse.Ip = address;
            abuse.Ips = string.Join(',', abuse.Ips.Split(',', StringSplitOptions.RemoveEmptyEntries).Prepend(address!).Distinct().Take(50));
            abuse.ServiceId = service?.Id;
            abuse.CustomerId = service?.CustomerId;
            // It takes the group's key unless another open case already holds it (then later reports join that one).
            var key = AbuseCase.KeyOf(service?.Id, address!, abuse.Type);
            abuse.GroupKey = await db.AbuseCases.AnyAsync(c => c.GroupKey == key, cancellationToken) ? null : key;
            abuse.Version = Guid.NewGuid();
            await AbuseAudit.RecordAsync(db, abuse.Id, agentId, AbuseEventKinds.AddressAssigned, address, now);
            if (service is null)
            {
                abuse.State = AbuseStates.NotOurs;
                return Outcome<AbuseCase>.Ok(abuse);
            }
            abuse.State = AbuseStates.Forwarded;
            abuse.ForwardedAt = now;
            abuse.RespondBy = now.AddHours(options.Value.ResponseHours);
            var first = await db.AbuseReports.AsNoTracking().Where(r => r.CaseId == abuse.Id).OrderBy(r => r.ReceivedAt).ThenBy(r => r.Id).FirstAsync(cancellationToken);
            db.OutboxMessages.AddRange(await mails.ForwardedAsync(abuse, service, first, cancellationToken));
            await AbuseAudit.RecordAsync(db, abuse.Id, agentId, AbuseEventKinds.Forwarded, $"respond by {AbuseAudit.Utc(abuse.RespondBy)}", now);
            return Outcome<AbuseCase>.Ok(abuse);
        }, cancellationToken);
}
