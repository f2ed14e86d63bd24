using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>Admins list the agents (<see cref="DeskAccess.Agents"/>) with the departments they work, a page at a time.</summary>
public sealed class ListAgents(SportelloDb db, DeskAccess access)
{
    public async Task<Paged<AgentResponse>> HandleAsync(Page page, CancellationToken cancellationToken = default)
    {
        var users = await access.Agents().AsNoTracking()
            .Where(u => page.After == null || u.Id > page.After)
            .OrderBy(u => u.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        var ids = users.Select(u => u.Id).ToList();
        var departments = await db.AgentDepartments.AsNoTracking().Where(d => ids.Contains(d.UserId)).ToListAsync(cancellationToken);
        var rows = users.Select(u => new AgentResponse(u.Id, u.Email!, u.Name,
            departments.Where(d => d.UserId == u.Id).Select(d => d.Department).Order(StringComparer.Ordinal).ToList(), u.Language, u.TimeZone)).ToList();
        return page.Cut(rows, a => a.Id);
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => access.Agents().CountAsync(cancellationToken);
}
