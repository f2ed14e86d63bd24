using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Mail;

/// <summary>The mail pipeline for admins: what came in and what became of it, what went out, and the summary.</summary>
public static class MailAdminApi
{
    public static RouteGroupBuilder MapMailAdminApi(this RouteGroupBuilder api)
    {
        var mail = api.MapGroup("/admin/mail").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        mail.MapGet("/summary", SummaryAsync);
        mail.MapGet("/inbound", InboundAsync);
        mail.MapPost("/inbound/{inboundId:guid}/reprocess", ReprocessAsync);
        mail.MapGet("/outbox", OutboxAsync);
        mail.MapPost("/outbox/{outboxId:guid}/retry", RetryAsync);
        // Raw mail holds what the intake keeps from agents (other departments' mail, quarantined hostile content): admins only.
        api.MapGet("/desk/mail/{inboundId:guid}/original", OriginalAsync).RequireAuthorization(Policies.ApiAdmin).WithTags("Desk");
        return api;
    }

    /// <summary>The pages' own route to an original mail (cookie session); the API has /api/v1/desk/mail/{id}/original.</summary>
    public static IEndpointRouteBuilder MapRawMailPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/desk/mail/{inboundId:guid}/original", OriginalAsync).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }

    /// <summary>The stored original of an inbound mail, as an inert download.</summary>
    private static async Task<Results<FileContentHttpResult, NotFound>> OriginalAsync(Guid inboundId, HttpContext http, ReadRawMail read)
    {
        if (await read.HandleAsync(inboundId, http.RequestAborted) is not { } raw)
        {
            return TypedResults.NotFound();
        }
        http.Response.Headers.ContentSecurityPolicy = "sandbox";
        return TypedResults.File(raw, "application/octet-stream", $"mail-{inboundId:N}.eml");
    }

    private static async Task<Ok<MailPipelineSummary>> SummaryAsync(ReadMailSummary summary, CancellationToken cancellationToken) =>
        TypedResults.Ok(await summary.HandleAsync(cancellationToken));

    // Newest first. `limit` and `cursor` page like every list (ids are time-ordered); the older `take` (at most 500,
    // no cursor) still works when neither is given.
    private static async Task<Results<Ok<List<InboundView>>, ValidationProblem>> InboundAsync(
        HttpContext http, ListInboundMail list, string? state, int? take, int? limit, string? cursor) =>
        limit is null && cursor is null
            ? TypedResults.Ok(await list.NewestAsync(state, Math.Clamp(take ?? 100, 1, 500), http.RequestAborted))
            : await Page.ListAsync(http, limit, cursor, page => list.PageAsync(state, page, http.RequestAborted));

    private static async Task<Results<Ok<List<OutboxView>>, ValidationProblem>> OutboxAsync(
        HttpContext http, ListOutboxMail list, string? state, int? take, int? limit, string? cursor) =>
        limit is null && cursor is null
            ? TypedResults.Ok(await list.NewestAsync(state, Math.Clamp(take ?? 100, 1, 500), http.RequestAborted))
            : await Page.ListAsync(http, limit, cursor, page => list.PageAsync(state, page, http.RequestAborted));

    private static async Task<Results<Accepted, NotFound>> ReprocessAsync(Guid inboundId, ReprocessInboundMail reprocess, CancellationToken cancellationToken) =>
        await reprocess.HandleAsync(inboundId, cancellationToken) ? TypedResults.Accepted((string?)null) : TypedResults.NotFound();

    private static async Task<Results<Accepted, NotFound>> RetryAsync(Guid outboxId, RetryOutboxMail retry, CancellationToken cancellationToken) =>
        await retry.HandleAsync(outboxId, cancellationToken) ? TypedResults.Accepted((string?)null) : TypedResults.NotFound();
}
