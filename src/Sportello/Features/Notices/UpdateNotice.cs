using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary><c>POST /admin/notices/{id}/updates</c>: a step of an incident, or a maintenance rescheduled, cancelled or completed.</summary>
/// <param name="TicketReply">When an incident is resolved: the reply posted on its linked tickets (a string or <c>{en, it}</c>);
/// absent, the default text (<see cref="ResolutionReply.Template"/>) in each customer's language; empty, no reply.</param>
public sealed record NoticeUpdateRequest(string? Status, NoticeText? Body, string? StartsAt, string? EndsAt, string? TimeZone, NoticeText? TicketReply = null);

/// <summary>
/// Posts an update on a notice. Each update is notified to the notice's customers (the same ones it was published
/// to); a resolved, cancelled or completed notice takes no more. Rescheduling moves the window and re-arms the
/// reminder. Sportello posts two on its own (<see cref="NoticeFanOut"/>): the reminder, and the completion of a
/// maintenance at its end.
/// </summary>
public sealed class UpdateNotice(
    SportelloDb db, TimeProvider clock, NoticeWake wake, IOptions<NoticeOptions> options, ResolutionReply resolutionReply, TicketSignals signals)
{
    /// <summary>Null when there is no such notice (404).</summary>
    public async Task<Outcome<NoticeUpdate>?> HandleAsync(Guid? authorId, Guid noticeId, NoticeUpdateRequest request, CancellationToken cancellationToken = default)
    {
        if (await db.Notices.FirstOrDefaultAsync(n => n.Id == noticeId, cancellationToken) is not { } notice)
        {
            return null;
        }
        var errors = new ValidationErrors();
        var status = request.Status?.Trim().ToLowerInvariant();
        var allowed = NoticeStatuses.Allowed(notice.Kind);
        if (string.IsNullOrEmpty(status))
        {
            errors.Add("status", "status is required: one of {0}.", string.Join(", ", allowed));
        }
        else if (!allowed.Contains(status))
        {
            errors.Add("status", "A {0} notice takes these statuses: {1}.", notice.Kind, string.Join(", ", allowed));
        }
        else if (notice.ClosedAt is not null)
        {
            errors.Add("status", "The notice is {0}: it takes no more updates.", notice.Status);
        }
        var body = PublishNotice.Words(request.Body, "body", PublishNotice.MaxBody, errors, required: notice.Kind == NoticeKinds.Incident);
        var zone = NoticeTimes.Zone(request.TimeZone, errors);
        var startsAt = NoticeTimes.Parse(request.StartsAt, zone, "startsAt", errors);
        var endsAt = NoticeTimes.Parse(request.EndsAt, zone, "endsAt", errors);
        if (status == NoticeStatuses.Rescheduled)
        {
            if (startsAt is null && !errors.Has("startsAt") && !errors.Has("timeZone"))
            {
                errors.Add("startsAt", "A rescheduled notice needs its new startsAt.");
            }
            if (startsAt is not null && endsAt is not null && endsAt <= startsAt)
            {
                errors.Add("endsAt", "endsAt must be after startsAt.");
            }
        }
        else if (startsAt is not null || endsAt is not null)
        {
            errors.Add(startsAt is not null ? "startsAt" : "endsAt", "Only a rescheduled update moves the window.");
        }
        var reply = PublishNotice.Words(request.TicketReply, "ticketReply", OpenTicket.MaxBody, errors, required: false);
        if (request.TicketReply is not null && status != NoticeStatuses.Resolved && !errors.Has("status"))
        {
            errors.Add("ticketReply", "Only resolving an incident replies to its linked tickets.");
        }
        if (errors.Any)
        {
            return Outcome<NoticeUpdate>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var update = Apply(notice, status!, body ?? new NoticeText(null, null), startsAt, endsAt, authorId, now, options.Value);
        db.NoticeUpdates.Add(update);
        List<(Ticket Ticket, string Change)> answered = [];
        var silent = request.TicketReply is not null && string.IsNullOrEmpty(reply?.En) && string.IsNullOrEmpty(reply?.It);
        if (status == NoticeStatuses.Resolved && authorId is { } author && !silent)
        {
            answered = await resolutionReply.AddAsync(notice, author, request.TicketReply is null ? null : reply, now, cancellationToken);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome<NoticeUpdate>.Invalid(new ValidationErrors().Add("status", "The notice changed meanwhile: look at it again."));
        }
        foreach (var (ticket, change) in answered)
        {
            signals.Changed(ticket, change);
        }
        wake.Wake();
        return Outcome<NoticeUpdate>.Ok(update);
    }

    /// <summary>What an update does to its notice (also for the updates Sportello posts itself).</summary>
    internal static NoticeUpdate Apply(Notice notice, string status, NoticeText body, DateTime? startsAt, DateTime? endsAt, Guid? authorId, DateTime now, NoticeOptions options)
    {
        notice.Status = status == NoticeStatuses.Reminder ? notice.Status : status;
        notice.Version = Guid.NewGuid();
        if (status == NoticeStatuses.Rescheduled)
        {
            notice.StartsAt = startsAt!.Value;
            notice.EndsAt = endsAt;
            notice.ReminderSentAt = PublishNotice.ReminderWaived(notice, now, options);
        }
        if (NoticeStatuses.Closes(status))
        {
            notice.ClosedAt = now;
            if (status != NoticeStatuses.Cancelled && (notice.EndsAt is null || notice.EndsAt > now))
            {
                notice.EndsAt = now < notice.StartsAt ? notice.StartsAt : now;
            }
        }
        return new NoticeUpdate
        {
            NoticeId = notice.Id, Status = status, BodyEn = body.En ?? "", BodyIt = body.It ?? "",
            StartsAt = status == NoticeStatuses.Rescheduled ? notice.StartsAt : null,
            EndsAt = status == NoticeStatuses.Rescheduled ? notice.EndsAt : null,
            CreatedAt = now, AuthorId = authorId,
        };
    }
}

/// <summary>Tells this node's fan-out there is work (a notice or an update was just stored); the mail workers' signal.</summary>
public sealed class NoticeWake : IDisposable
{
    public Mail.MailWake.Signal Signal { get; } = new();

    public void Wake() => Signal.Set();

    public void Dispose() => Signal.Dispose();
}
