using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Tickets;

/// <summary>
/// A file attached to a ticket, for someone who may see the message it belongs to: the customer (not on internal
/// notes) or staff of the ticket's department. Null (404) for anyone else.
/// </summary>
public sealed class DownloadAttachment(SportelloDb db, DeskAccess access)
{
    public sealed record File(Attachment Attachment, byte[] Bytes);

    public async Task<File?> HandleAsync(ClaimsPrincipal user, Guid attachmentId, CancellationToken cancellationToken = default)
    {
        var viewer = await access.ViewerAsync(user, cancellationToken);
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
        return new File(attachment, bytes);
    }
}
