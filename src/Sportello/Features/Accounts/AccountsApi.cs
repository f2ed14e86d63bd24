using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Web;

namespace Sportello.Features.Accounts;

public sealed record TokenRequest(string? Email, string? Password, string? TotpCode = null, string? Name = null);
public sealed record TokenResponse(string Token, DateTime ExpiresAt);

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/token", IssueTokenAsync).AllowAnonymous().WithTags("Sign-in");
        api.MapDelete("/auth/token", RevokeCurrentTokenAsync).RequireAuthorization(Policies.ApiUser).WithTags("Sign-in");
        api.MapGet("/me", GetMeAsync).RequireAuthorization(Policies.ApiUser).WithTags("Account");
        api.MapPost("/account/email", RequestEmailChangeAsync).RequireAuthorization(Policies.ApiUser).WithTags("Account");
        var admin = api.MapGroup("/admin").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        admin.MapPost("/customers", CreateCustomerAsync);
        admin.MapGet("/customers", ListCustomersAsync);
        admin.MapGet("/customers/{customerId:guid}", GetCustomerAsync);
        admin.MapPost("/agents", CreateAgentAsync);
        admin.MapGet("/agents", ListAgentsAsync);
        return api;
    }

    /// <summary>Starts a change of the registered address: 202, and links go to both the old and the new address.</summary>
    private static async Task<Results<Accepted<EmailChangeResponse>, ValidationProblem>> RequestEmailChangeAsync(
        EmailChangeRequest request, HttpContext http, CurrentUser current, ChangeEmail changeEmail)
    {
        var me = await current.LoadAsync(http.RequestAborted);
        var outcome = await changeEmail.RequestAsync(me, request, http.RequestAborted);
        return outcome.Value is null ? TypedResults.ValidationProblem(outcome.Errors.ToDictionary()) : TypedResults.Accepted((string?)null, outcome.Value);
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, HttpContext http, PasswordSignIn signIn, ApiTokens tokens)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Email))
        {
            errors.Add("email", "email is required.");
        }
        if (string.IsNullOrEmpty(request.Password))
        {
            errors.Add("password", "password is required.");
        }
        if (request.Name?.Length > 100)
        {
            errors.Add("name", "name is at most 100 characters.");
        }
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var attempt = await signIn.CheckAsync(http.Connection.RemoteIpAddress?.ToString(), request.Email!, request.Password!, request.TotpCode);
        switch (attempt.Outcome)
        {
            case SignInOutcome.Success:
                var issued = await tokens.IssueAsync(attempt.User!.Id, string.IsNullOrWhiteSpace(request.Name) ? "API" : request.Name.Trim(), http.RequestAborted);
                return TypedResults.Ok(new TokenResponse(issued.Token, issued.ExpiresAt));
            case SignInOutcome.Throttled:
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(attempt.RetryAfter!.Value.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many sign-in attempts",
                    detail: "Wait before trying again.");
            case SignInOutcome.SecondFactorRequired:
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Second factor required",
                    detail: "This account uses two-factor authentication: send totpCode.",
                    extensions: new Dictionary<string, object?> { ["totpRequired"] = true });
            case SignInOutcome.LockedOut:
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Account locked",
                    detail: "Too many failed attempts: the account is locked for a while.",
                    extensions: new Dictionary<string, object?> { ["lockedOut"] = true });
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed",
                    detail: "The email, password or code is wrong.");
        }
    }

    private static async Task<NoContent> RevokeCurrentTokenAsync(HttpContext http, ApiTokens tokens)
    {
        var secret = http.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
        if (await tokens.FindActiveAsync(secret, http.RequestAborted) is { } token)
        {
            await tokens.RevokeAsync(token.UserId, token.Id, http.RequestAborted);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, NotFound>> GetMeAsync(ReadMe readMe, CancellationToken cancellationToken) =>
        await readMe.HandleAsync(cancellationToken) is { } me ? TypedResults.Ok(me) : TypedResults.NotFound();

    private static async Task<Results<Created<CustomerResponse>, ValidationProblem>> CreateCustomerAsync(
        CreateCustomerRequest request, CreateCustomer createCustomer, CancellationToken cancellationToken)
    {
        var outcome = await createCustomer.HandleAsync(request, cancellationToken);
        return outcome.Value is { } user
            ? TypedResults.Created($"/api/v1/admin/customers/{user.Id}", CustomerResponse.From(user))
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }

    private static Task<Results<Ok<List<CustomerResponse>>, ValidationProblem>> ListCustomersAsync(
        HttpContext http, ListCustomers list, int? limit, string? cursor) =>
        Page.ListAsync(http, limit, cursor, page => list.HandleAsync(page, http.RequestAborted));

    private static async Task<Results<Ok<CustomerResponse>, NotFound>> GetCustomerAsync(Guid customerId, ReadCustomer read, CancellationToken cancellationToken) =>
        await read.HandleAsync(customerId, cancellationToken) is { } customer ? TypedResults.Ok(CustomerResponse.From(customer)) : TypedResults.NotFound();

    private static Task<Results<Ok<List<AgentResponse>>, ValidationProblem>> ListAgentsAsync(
        HttpContext http, ListAgents list, int? limit, string? cursor) =>
        Page.ListAsync(http, limit, cursor, page => list.HandleAsync(page, http.RequestAborted));

    private static async Task<Results<Created<AgentResponse>, ValidationProblem>> CreateAgentAsync(
        CreateAgentRequest request, CreateAgent createAgent, CancellationToken cancellationToken)
    {
        var outcome = await createAgent.HandleAsync(request, cancellationToken);
        return outcome.Value is { } agent
            ? TypedResults.Created($"/api/v1/admin/agents/{agent.Id}", agent)
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }
}
