using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>Authenticates <c>Authorization: Bearer spt_...</c> against the stored token hashes.</summary>
internal sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SportelloDb db,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    /// <summary>The token a principal was authenticated with, so that what it opened (a hub connection) ends with it.</summary>
    public const string TokenIdClaim = "sportello:token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        string secret;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            secret = header["Bearer ".Length..].Trim();
        }
        else if (Request.Path.StartsWithSegments("/hubs") && Request.Query["access_token"] is [{ Length: > 0 } fromQuery])
        {
            // Browsers cannot set headers on WebSockets, so SignalR clients send the token in the query string.
            secret = fromQuery;
        }
        else
        {
            return AuthenticateResult.NoResult();
        }
        var hash = ApiTokens.Hash(secret);
        var now = clock.GetUtcNow();
        // One round trip, compiled: the token, its user, the user's roles and an agent's departments (every API request pays it).
        var found = await FindToken.For(db)(db, hash, now.UtcDateTime, Context.RequestAborted);
        if (found is null)
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked token.");
        }
        // A lockout stops password guessing, not the account's integrations: whoever knows an address could otherwise
        // disable its scripts at will. A password change revokes the tokens.
        var (token, user) = (found.Token, found.User);
        // Recording use is informative only, so it is written at most every few minutes.
        if (token.LastUsedAt is null || token.LastUsedAt < now.UtcDateTime.AddMinutes(-5))
        {
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now.UtcDateTime), Context.RequestAborted);
        }
        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
        identity.AddClaim(new Claim(TokenIdClaim, token.Id.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.UserName ?? ""));
        identity.AddClaims(found.RoleIds.Select(Roles.Named).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(r => new Claim(ClaimTypes.Role, r)));
        SportelloClaims.AddProfile(identity, user);
        SportelloClaims.AddDepartments(identity, found.Departments.Distinct(StringComparer.Ordinal));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private sealed record Found(ApiToken Token, User User, List<Guid> RoleIds, List<string> Departments);

    // The roles come as ids and are named in .NET (Roles.Named): joined to AspNetRoles inside the query, the roles became
    // a subquery on the right of a LEFT JOIN, which SQLite cannot flatten, so it materialized every user's roles on every
    // request (a floor of 30-60 ms per request at 100,000 customers). Alone, AspNetUserRoles is read by its key.

    private static readonly CompiledQuery<Func<SportelloDb, byte[], DateTime, CancellationToken, Task<Found?>>> FindToken = new(() =>
        EF.CompileAsyncQuery((SportelloDb db, byte[] hash, DateTime now, CancellationToken ct) => db.ApiTokens
            .Where(t => t.Hash == hash && t.RevokedAt == null && t.ExpiresAt > now)
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new Found(t, u,
                db.UserRoles.Where(ur => ur.UserId == u.Id).Select(ur => ur.RoleId).ToList(),
                db.AgentDepartments.Where(d => d.UserId == u.Id).Select(d => d.Department).ToList()))
            .AsSingleQuery() // a handful of roles and departments: one query, not three
            .FirstOrDefault()));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Sign-in required",
            "Send a valid API token as 'Authorization: Bearer <token>' (POST /api/v1/auth/token issues one).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "Your role may not use this endpoint.");

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Results.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail })
            .ExecuteAsync(Context);
    }
}
