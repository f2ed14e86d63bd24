using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Tickets;

/// <summary>Reading tickets with the access rule applied once (<see cref="TicketViewer"/>): customers see their own and never internal notes; staff their departments.</summary>
public static class TicketQueries
{
    public static async Task<TicketResponse?> DetailAsync(SportelloDb db, Guid ticketId, TicketViewer viewer, DateTime now, CancellationToken cancellationToken)
    {
        // The ticket, its messages and its events as of one moment.
        await using var snapshot = await db.BeginSnapshotAsync(cancellationToken);
        var ticket = await viewer.Visible(db.Tickets.AsNoTracking()).FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var forCustomer = viewer.IsCustomer;
        var messages = await db.TicketMessages.AsNoTracking().Include(m => m.Attachments)
            .Where(m => m.TicketId == ticketId && (!forCustomer || !m.Internal))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        var detail = TicketResponse.From(ticket, now) with { Messages = messages.Select(MessageView.From).ToList() };
        if (forCustomer)
        {
            return detail;
        }
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticketId)
            .OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new EventView(e.Kind, e.Detail, e.At, db.Users.Where(u => u.Id == e.ActorId).Select(u => u.Name).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return detail with { Events = events, Messages = messages.Select(m => MessageView.From(m) with { Trust = m.Trust }).ToList() };
    }

    /// <summary>An attachment's bytes, if the viewer may see the message it belongs to.</summary>
    public static async Task<(Attachment Attachment, byte[] Bytes)?> AttachmentAsync(SportelloDb db, Guid attachmentId, TicketViewer viewer, CancellationToken cancellationToken)
    {
        var visible = viewer.Visible(db.Tickets);
        var forCustomer = viewer.IsCustomer;
        var attachment = await db.Attachments.AsNoTracking()
            .Where(a => a.Id == attachmentId && visible.Any(t => t.Id == a.TicketId))
            .Where(a => !forCustomer || db.TicketMessages.Any(m => m.Id == a.MessageId && !m.Internal))
            .FirstOrDefaultAsync(cancellationToken);
        if (attachment is null)
        {
            return null;
        }
        var bytes = await db.AttachmentContents.Where(c => c.AttachmentId == attachmentId).Select(c => c.Bytes).SingleAsync(cancellationToken);
        return (attachment, bytes);
    }

    /// <summary>Serves a file as a download (or, for a recognised raster image asked inline, as a preview).</summary>
    public static IResult Serve(Attachment attachment, byte[] bytes, bool inline, HttpContext http)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var image = ImageSniffer.PreviewType(bytes);
        if (inline && image is not null)
        {
            http.Response.Headers.ContentDisposition = "inline";
            return Results.File(bytes, image);
        }
        return Results.File(bytes, "application/octet-stream", attachment.FileName);
    }
}
