using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail;

/// <summary>
/// Where a mail of one notification type goes (invoices/orders, abuse): to the customer's confirmed, deliverable
/// addresses of that type, else to the registered address; never to the addresses of another type. In the
/// customer's language and time zone.
/// </summary>
public static class NotificationRecipients
{
    public static async Task<List<Recipient>> OfAsync(SportelloDb db, Guid customerId, string type, CancellationToken cancellationToken = default)
    {
        var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
        var language = customer.Language == "it" ? "it" : "en";
        var confirmed = await db.NotificationAddresses.AsNoTracking()
            .Where(a => a.UserId == customerId && a.Type == type && a.ConfirmedAt != null && a.UndeliverableAt == null)
            .OrderBy(a => a.CreatedAt).Select(a => a.Address).ToListAsync(cancellationToken);
        return confirmed.Count > 0
            ? [.. confirmed.Select(a => new Recipient(a, customer.Name, language, customer.TimeZone))]
            : [new Recipient(customer.Email!, customer.Name, language, customer.TimeZone)];
    }
}
