using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary>
/// When an incident is resolved, its linked tickets (opened about a service it covered) get a public reply, authored by
/// the resolving admin, in the customer's language: the admin's text if they edited it, else <see cref="Template"/>.
/// It is an ordinary agent reply: the ticket becomes <c>answered</c>, the reply counts as the first response, and the
/// customer gets it by mail. Closed and merged tickets are left alone. Written in the update's unit of work.
/// </summary>
public sealed class ResolutionReply(SportelloDb db, ReplyToTicket replies, IStringLocalizer<Text> text)
{
    /// <summary>The default reply in <paramref name="language"/>, which the admin can edit before resolving.</summary>
    public string Template(string title, string language) => Outbox.InLanguage(language, () =>
        text["The incident \"{0}\" is resolved: the service works normally again. If you still see a problem, reply to this ticket and we will look into it.",
            title].Value);

    /// <summary>Adds the replies to the unit of work; returns the tickets, for their live signals once it is saved.</summary>
    public async Task<List<(Ticket Ticket, string Change)>> AddAsync(Notice notice, Guid authorId, NoticeText? edited, DateTime now, CancellationToken cancellationToken)
    {
        var author = await db.Users.AsNoTracking().SingleAsync(u => u.Id == authorId, cancellationToken);
        var tickets = await db.Tickets.Where(t => t.NoticeId == notice.Id && t.Status != TicketStatus.Closed && t.MergedIntoId == null)
            .ToListAsync(cancellationToken);
        var languages = await db.Users.AsNoTracking().Where(u => tickets.Select(t => t.CustomerId).Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Language, cancellationToken);
        var changed = new List<(Ticket, string)>(tickets.Count);
        foreach (var ticket in tickets)
        {
            var language = ticket.CustomerId is { } customer && languages.TryGetValue(customer, out var l) && l == "it" ? "it" : "en";
            var body = edited is null ? Template(notice.Title(language), language) : Notice.Pick(language, edited.En ?? "", edited.It ?? "");
            var message = new TicketMessage
            {
                Id = Guid.CreateVersion7(), TicketId = ticket.Id, AuthorId = author.Id, AuthorKind = AuthorKinds.Agent, AuthorName = author.Name,
                Body = body, CreatedAt = now,
            };
            changed.Add((ticket, await replies.AppendAsync(ticket, message, cancellationToken)));
        }
        return changed;
    }
}
