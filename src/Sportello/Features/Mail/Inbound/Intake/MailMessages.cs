using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>A mail's text and files as a message on a ticket, with how its sender was known (per message, never per thread).</summary>
public sealed class MailMessages(SportelloDb db, IOptions<TicketOptions> limits)
{
    public sealed record Author(Guid? Id, string Kind, string Name, string Trust);

    public async Task<TicketMessage> NewAsync(
        Ticket ticket, Author author, InboundMessage inbound, MailText.Content content, DateTime now, CancellationToken cancellationToken)
    {
        var message = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticket.Id,
            AuthorId = author.Id,
            AuthorKind = author.Kind,
            AuthorName = MailFields.Cap(author.Name, 200)!,
            Trust = author.Trust,
            Body = content.Body,
            QuotedText = content.Quoted,
            InboundMessageId = inbound.Id,
            CreatedAt = now,
        };
        var files = content.Files.Where(f => f.Length <= limits.Value.MaxAttachmentBytes).ToList();
        if (files.Count > 0)
        {
            var prepared = await AddAttachments.PrepareAsync(ticket.Id, message.Id, files, now, cancellationToken);
            AddAttachments.Stage(db, ticket.Id, author.Id, prepared, now);
            message.Attachments.AddRange(prepared.Select(p => p.Attachment));
        }
        if (files.Count < content.Files.Count)
        {
            message.Body += "\n\n[" + string.Join(", ", content.Files.Except(files).Select(f => FileNames.Normalize(f.FileName)))
                + ": too large to keep as a file; the original mail is kept.]";
        }
        return message;
    }
}
