using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Mail;

public sealed record InboundView(
    Guid Id, string Source, DateTime ReceivedAt, string? RemoteAddress, string? EnvelopeFrom, string? From, string? Subject,
    string State, string? Outcome, string? Reason, string? Authentication, Guid? TicketId, DateTime? ProcessedAt, long Size);
public sealed record OutboxView(
    Guid Id, string MessageId, string Kind, string To, string Subject, DateTime CreatedAt, string State, int Attempts,
    DateTime NextAttemptAt, DateTime? SentAt, string? LastError, Guid? TicketId);

/// <summary>The mail pipeline for admins: what came in and what became of it, what went out, and the summary.</summary>
public static class MailAdminApi
{
    public static RouteGroupBuilder MapMailAdminApi(this RouteGroupBuilder api)
    {
        var mail = api.MapGroup("/admin/mail").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        mail.MapGet("/summary", SummaryAsync);
        mail.MapGet("/inbound", InboundAsync);
        mail.MapGet("/outbox", OutboxAsync);
        // Raw mail holds what the intake keeps from agents (other departments' mail, quarantined hostile content): admins only.
        api.MapGet("/desk/mail/{inboundId:guid}/original", OriginalAsync).RequireAuthorization(Policies.ApiAdmin).WithTags("Desk");
        return api;
    }

    /// <summary>The stored original of an inbound mail, as an inert download (agents; the pages use /desk/mail/{id}/original).</summary>
    public static async Task<Results<FileContentHttpResult, NotFound>> OriginalAsync(Guid inboundId, HttpContext http, SportelloDb db)
    {
        var raw = await db.InboundMessages.AsNoTracking().Where(m => m.Id == inboundId).Select(m => m.Raw).FirstOrDefaultAsync(http.RequestAborted);
        if (raw is null)
        {
            return TypedResults.NotFound();
        }
        http.Response.Headers.ContentSecurityPolicy = "sandbox";
        return TypedResults.File(raw, "application/octet-stream", $"mail-{inboundId:N}.eml");
    }

    public static IQueryable<InboundView> Inbound(SportelloDb db, string? state) =>
        db.InboundMessages.AsNoTracking()
            .Where(m => state == null || m.State == state)
            .OrderByDescending(m => m.ReceivedAt)
            .Select(m => new InboundView(m.Id, m.Source, m.ReceivedAt, m.RemoteAddress, m.EnvelopeFrom, m.FromAddress, m.Subject,
                m.State, m.Outcome, m.Reason, m.Authentication, m.TicketId, m.ProcessedAt, m.Size));

    public static IQueryable<OutboxView> Outgoing(IQueryable<Outbound.OutboxMessage> source) =>
        source.AsNoTracking()
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => new OutboxView(m.Id, m.MessageId, m.Kind, m.ToAddress, m.Subject, m.CreatedAt, m.State, m.Attempts,
                m.NextAttemptAt, m.SentAt, m.LastError, m.TicketId));

    private static async Task<Ok<MailPipelineSummary>> SummaryAsync(
        SportelloDb db, MailPipelineState state, IOptions<MailOptions> options, TimeProvider clock, CancellationToken cancellationToken) =>
        TypedResults.Ok(await MailPipelineSummary.ReadAsync(db, state, options.Value, clock.GetUtcNow().UtcDateTime, cancellationToken));

    // Newest first. `limit` and `cursor` page like every list (ids are time-ordered); the older `take` (at most 500,
    // no cursor) still works when neither is given.
    private static async Task<Results<Ok<List<InboundView>>, ValidationProblem>> InboundAsync(
        HttpContext http, SportelloDb db, string? state, int? take, int? limit, string? cursor)
    {
        if (limit is null && cursor is null)
        {
            return TypedResults.Ok(await Inbound(db, state).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(http.RequestAborted));
        }
        var errors = new ValidationErrors();
        if (!Page.TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var rows = await Inbound(db, state).Where(m => page.After == null || m.Id < page.After).OrderByDescending(m => m.Id)
            .Take(page.Limit + 1).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(page.Finish(http, rows, m => m.Id));
    }

    private static async Task<Results<Ok<List<OutboxView>>, ValidationProblem>> OutboxAsync(
        HttpContext http, SportelloDb db, string? state, int? take, int? limit, string? cursor)
    {
        var mail = Outgoing(db.OutboxMessages.Where(m => state == null || m.State == state));
        if (limit is null && cursor is null)
        {
            return TypedResults.Ok(await mail.Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(http.RequestAborted));
        }
        var errors = new ValidationErrors();
        if (!Page.TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var rows = await mail.Where(m => page.After == null || m.Id < page.After).OrderByDescending(m => m.Id)
            .Take(page.Limit + 1).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(page.Finish(http, rows, m => m.Id));
    }
}
