using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Accounts;

public sealed record MeResponse(
    Guid Id, string Email, string Name, string? Country, string Language, string TimeZone,
    string? Company, string? VatId, IReadOnlyList<string> Roles, IReadOnlyList<string> Departments);

/// <summary>The caller's own profile, roles and departments (any role).</summary>
public sealed class ReadMe(SportelloDb db, UserManager<User> users, CurrentUser current)
{
    public async Task<MeResponse?> HandleAsync(CancellationToken cancellationToken = default)
    {
        var id = current.Id;
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return null;
        }
        var roles = (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToList();
        var departments = await db.AgentDepartments.Where(d => d.UserId == id).Select(d => d.Department).OrderBy(d => d).ToListAsync(cancellationToken);
        return new MeResponse(user.Id, user.Email!, user.Name, user.Country, user.Language, user.TimeZone, user.Company, user.VatId, roles, departments);
    }
}
