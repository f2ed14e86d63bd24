using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Sportello.Features.Accounts;

/// <summary>
/// Adds the display name, language and an agent's departments to the principal, so pages and the Desk's access
/// checks need no lookup.
/// </summary>
internal sealed class SportelloClaims(UserManager<User> users, RoleManager<Role> roles, IOptions<IdentityOptions> options, Data.SportelloDb db)
    : UserClaimsPrincipalFactory<User, Role>(users, roles, options)
{
    public const string DisplayName = "sportello:name";
    public const string Language = "sportello:lang";
    public const string TimeZone = "sportello:tz";
    /// <summary>One claim per department the agent works.</summary>
    public const string Department = "sportello:department";
    /// <summary>Present when the principal carries the departments (older sessions do not: they are looked up).</summary>
    public const string DepartmentsKnown = "sportello:departments";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(User user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        AddProfile(identity, user);
        AddDepartments(identity, await db.AgentDepartments.Where(d => d.UserId == user.Id).Select(d => d.Department).ToListAsync());
        return identity;
    }

    public static void AddDepartments(ClaimsIdentity identity, IEnumerable<string> departments)
    {
        identity.AddClaim(new Claim(DepartmentsKnown, "1"));
        identity.AddClaims(departments.Select(d => new Claim(Department, d)));
    }

    public static void AddProfile(ClaimsIdentity identity, User user)
    {
        identity.AddClaim(new Claim(DisplayName, user.Name));
        identity.AddClaim(new Claim(Language, user.Language));
        identity.AddClaim(new Claim(TimeZone, user.TimeZone));
    }
}

public static class PrincipalExtensions
{
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The principal has no user id."));

    public static string DisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(SportelloClaims.DisplayName) ?? principal.Identity?.Name ?? "";

    /// <summary>The zone the user reads times in (their profile's), UTC when unknown.</summary>
    public static string TimeZone(this ClaimsPrincipal principal) => principal.FindFirstValue(SportelloClaims.TimeZone) ?? "UTC";
}
