using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;

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

    private static async Task<Ok<List<InboundView>>> InboundAsync(SportelloDb db, string? state, int? take, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Inbound(db, state).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(cancellationToken));

    private static async Task<Ok<List<OutboxView>>> OutboxAsync(SportelloDb db, string? state, int? take, CancellationToken cancellationToken) =>
        TypedResults.Ok(await Outgoing(db.OutboxMessages.Where(m => state == null || m.State == state)).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(cancellationToken));
}
