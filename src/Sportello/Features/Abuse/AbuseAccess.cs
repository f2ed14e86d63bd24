using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Abuse;

/// <summary>
/// Who may reach an abuse case: on the Desk, the agents of the abuse department and admins (for everyone else a case
/// is exactly like one that does not exist: 404, left out of every list); in the Client Area, the customer whose
/// service it is about, never a case about an address we do not host.
/// </summary>
public sealed class AbuseAccess(SportelloDb db, DeskAccess desk)
{
    public async Task<bool> WorksAbuseAsync(Guid userId, CancellationToken cancellationToken = default) =>
        (await desk.ScopeAsync(userId, cancellationToken)).Covers(Departments.Abuse);

    /// <summary>The case, tracked, when <paramref name="userId"/> works the abuse desk; else null (404).</summary>
    public async Task<AbuseCase?> DeskCaseAsync(Guid userId, Guid caseId, CancellationToken cancellationToken = default) =>
        await WorksAbuseAsync(userId, cancellationToken) ? await db.AbuseCases.FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken) : null;

    /// <summary>The customer's own cases.</summary>
    public IQueryable<AbuseCase> CustomerCases(Guid customerId) => db.AbuseCases.Where(c => c.CustomerId == customerId);

    /// <summary>The case, tracked, when it is about a service of <paramref name="customerId"/>; else null (404).</summary>
    public Task<AbuseCase?> CustomerCaseAsync(Guid customerId, Guid caseId, CancellationToken cancellationToken = default) =>
        CustomerCases(customerId).FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
}
