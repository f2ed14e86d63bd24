using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>The published answer to a new notice: its id and how many customers it reaches.</summary>
public sealed record NoticePublished(Guid Id, int Recipients, string Kind, string Status);

/// <summary>Admins publish and update notices under /admin/notices; customers read their inbox under /notifications.</summary>
public static class NoticesApi
{
    public static RouteGroupBuilder MapNoticesApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin/notices").RequireAuthorization(Policies.ApiAdmin).WithTags("Notices");
        admin.MapGet("/", ListAsync);
        admin.MapPost("/", PublishAsync);
        admin.MapPost("/preview", PreviewAsync);
        admin.MapGet("/{noticeId:guid}", GetAsync);
        admin.MapPost("/{noticeId:guid}/updates", UpdateAsync);
        admin.MapGet("/{noticeId:guid}/recipients", RecipientsAsync);

        var inbox = api.MapGroup("/notifications").RequireAuthorization(Policies.ApiCustomer).WithTags("Notifications");
        inbox.MapGet("/", InboxAsync);
        inbox.MapGet("/unread", UnreadAsync);
        inbox.MapPost("/{notificationId:guid}/read", ReadAsync);
        inbox.MapPost("/read-all", ReadAllAsync);
        // What the ticket form shows first: incidents and maintenance under way on the caller's services.
        api.MapGet("/notices/active", ActiveAsync).RequireAuthorization(Policies.ApiCustomer).WithTags("Notifications");

        var calendar = api.MapGroup("/account/calendar").RequireAuthorization(Policies.ApiCustomer).WithTags("Account");
        calendar.MapGet("/", CalendarAsync);
        calendar.MapPost("/", RenewCalendarAsync);
        calendar.MapDelete("/", RevokeCalendarAsync);

        // Anyone may follow the public status by email; the confirmation and unsubscribe links are pages (/status/…).
        var status = api.MapGroup("/status").AllowAnonymous().WithTags("Status");
        status.MapPost("/subscriptions", SubscribeAsync);
        return api;
    }

    private static async Task<Ok<List<NoticeSummary>>> ListAsync(ReadNotices read, CancellationToken cancellationToken) =>
        TypedResults.Ok(await read.ListAsync(cancellationToken: cancellationToken));

    private static async Task<Results<Created<NoticePublished>, ValidationProblem>> PublishAsync(
        NoticeRequest request, CurrentUser current, PublishNotice publish, CancellationToken cancellationToken) =>
        await publish.HandleAsync(current.Id, request, cancellationToken) switch
        {
            { Value: { } notice } => TypedResults.Created($"/api/v1/admin/notices/{notice.Id}", new NoticePublished(notice.Id, notice.Recipients, notice.Kind, notice.Status)),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<NoticePreview>, ValidationProblem>> PreviewAsync(NoticeRequest request, PublishNotice publish, CancellationToken cancellationToken) =>
        await publish.PreviewAsync(request, cancellationToken) switch
        {
            { Value: { } preview } => TypedResults.Ok(preview),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<NoticeDetail>, NotFound>> GetAsync(Guid noticeId, ReadNotices read, CancellationToken cancellationToken) =>
        await read.DetailAsync(noticeId, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static Task<Results<Ok<List<NoticeRecipientView>>, ValidationProblem, NotFound>> RecipientsAsync(
        Guid noticeId, HttpContext http, int? limit, string? cursor, ReadNotices read, CancellationToken cancellationToken) =>
        Page.ListOfAsync(http, limit, cursor, () => read.ExistsAsync(noticeId, cancellationToken), page => read.RecipientsAsync(noticeId, page, cancellationToken));

    private static async Task<Results<Created<NoticeUpdateView>, ValidationProblem, NotFound>> UpdateAsync(
        Guid noticeId, NoticeUpdateRequest request, CurrentUser current, UpdateNotice update, CancellationToken cancellationToken) =>
        await update.HandleAsync(current.Id, noticeId, request, cancellationToken) switch
        {
            null => TypedResults.NotFound(),
            { Value: { } posted } => TypedResults.Created($"/api/v1/admin/notices/{noticeId}", NoticeUpdateView.From(posted)),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static Task<Results<Ok<List<NotificationView>>, ValidationProblem>> InboxAsync(
        HttpContext http, int? limit, string? cursor, CurrentUser current, Inbox inbox, CancellationToken cancellationToken) =>
        Page.ListAsync(http, limit, cursor, page => inbox.ListAsync(current.Id, page, cancellationToken));

    private static async Task<Ok<UnreadCount>> UnreadAsync(CurrentUser current, Inbox inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(new UnreadCount(await inbox.UnreadAsync(current.Id, cancellationToken)));

    private static async Task<Results<Ok, NotFound>> ReadAsync(Guid notificationId, CurrentUser current, Inbox inbox, CancellationToken cancellationToken) =>
        await inbox.MarkReadAsync(current.Id, notificationId, cancellationToken) ? TypedResults.Ok() : TypedResults.NotFound();

    private static async Task<Results<Ok<CalendarLink>, NotFound>> CalendarAsync(CurrentUser current, CalendarFeeds feeds, CancellationToken cancellationToken) =>
        await feeds.FindAsync(current.Id, cancellationToken) is { } link ? TypedResults.Ok(link) : TypedResults.NotFound();

    private static async Task<Created<CalendarLink>> RenewCalendarAsync(CurrentUser current, CalendarFeeds feeds, CancellationToken cancellationToken) =>
        TypedResults.Created("/api/v1/account/calendar", await feeds.RenewAsync(current.Id, cancellationToken));

    private static async Task<Results<NoContent, NotFound>> RevokeCalendarAsync(CurrentUser current, CalendarFeeds feeds, CancellationToken cancellationToken) =>
        await feeds.RevokeAsync(current.Id, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<IResult> SubscribeAsync(StatusSubscriptionRequest request, HttpContext http, StatusSubscriptions subscriptions,
        [FromKeyedServices(StatusSubscriptions.Throttle)] Throttle throttle)
    {
        if (throttle.TryAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown") is { } wait)
        {
            return Throttle.TooMany(http.Response, wait);
        }
        return await subscriptions.SubscribeAsync(request, http.RequestAborted) switch
        {
            { Value: { } requested } => TypedResults.Accepted((string?)null, requested),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };
    }

    private static async Task<Ok<List<ActiveNotice>>> ActiveAsync(CurrentUser current, ActiveNotices notices, CancellationToken cancellationToken) =>
        TypedResults.Ok(await notices.ForCustomerAsync(current.Id,
            System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en", cancellationToken));

    private static async Task<Ok<MarkedRead>> ReadAllAsync(CurrentUser current, Inbox inbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(new MarkedRead(await inbox.MarkAllReadAsync(current.Id, cancellationToken)));
}

public sealed record UnreadCount(int Unread);

public sealed record MarkedRead(int Marked);
