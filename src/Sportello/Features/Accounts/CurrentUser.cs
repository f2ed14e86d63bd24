using System.Security.Claims;
using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>
/// Who is calling, for pages and endpoints alike: the signed-in principal of this request and, when a use case needs
/// it, the user's row.
/// </summary>
public sealed class CurrentUser(SportelloDb db, IHttpContextAccessor http)
{
    public ClaimsPrincipal Principal => http.HttpContext?.User ?? throw new InvalidOperationException("There is no request.");

    public Guid Id => Principal.UserId();

    /// <summary>The signed-in user's row; the principal was authenticated moments ago, so it exists.</summary>
    public async Task<User> LoadAsync(CancellationToken cancellationToken = default) =>
        // FindAsync looks in the context first: the API token handler tracked the row moments ago in this same request.
        await db.Users.FindAsync([Id], cancellationToken) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
}
