using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

public sealed record SecurityNoticeRequest(string? Ip = null, string? Type = null, string? Evidence = null);

/// <summary>
/// A security notification of the provider's own (a compromised host, an open resolver): an agent of the abuse desk
/// names the address and what was found, and the customer gets it the way a report reaches them, with a deadline.
/// </summary>
public sealed class OpenSecurityNotice(SportelloDb db, AbuseAccess access, ReceiveAbuseReport receive)
{
    /// <summary>Null for someone who does not work the abuse desk (404).</summary>
    public async Task<Outcome<AbuseReported>?> HandleAsync(Guid agentId, SecurityNoticeRequest request, CancellationToken cancellationToken = default)
    {
        if (!await access.WorksAbuseAsync(agentId, cancellationToken))
        {
            return null;
        }
        var errors = new ValidationErrors();
        var type = SubmitAbuseReport.Type(errors, request.Type);
        var ip = SubmitAbuseReport.PublicAddress(errors, "ip", request.Ip);
        AbuseChanges.Text(errors, "evidence", request.Evidence, AbuseReportParser.MaxEvidence);
        if (ip is not null && await HostedAddresses.FirstAsync(db, [ip], cancellationToken) is null)
        {
            errors.Add("ip", "{0} belongs to no service of ours.", ip);
        }
        if (errors.Any)
        {
            return Outcome<AbuseReported>.Invalid(errors);
        }
        var received = await ReceiveAbuseReport.StoreAsync(db, () => receive.HandleAsync(new IncomingAbuseReport(AbuseSources.Desk, AbuseFormats.Text,
            type!, [ip!], [], null, null, null, Automatic: true, null, request.Evidence!.Trim()) { StartedById = agentId }, cancellationToken), cancellationToken);
        return Outcome<AbuseReported>.Ok(new AbuseReported(received.Case.Id, received.Case.Reference, received.Case.State, received.Case.Reports));
    }
}
