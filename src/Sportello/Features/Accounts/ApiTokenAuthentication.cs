using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
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
    ApiTokens tokens,
    IUserClaimsPrincipalFactory<User> principals,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

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
        var token = await tokens.FindActiveAsync(secret, Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked token.");
        }
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == token.UserId, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (user is null || user.LockoutEnd > now)
        {
            return AuthenticateResult.Fail("The token's account is locked or gone.");
        }
        // Recording use is informative only, so it is written at most every few minutes.
        if (token.LastUsedAt is null || token.LastUsedAt < now.UtcDateTime.AddMinutes(-5))
        {
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now.UtcDateTime), Context.RequestAborted);
        }
        var principal = await principals.CreateAsync(user);
        var identity = new ClaimsIdentity(principal.Claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

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
