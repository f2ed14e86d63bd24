using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Mail;

/// <summary>
/// The stored original of an inbound mail, for admins only (the route's policy): it holds what the intake keeps from
/// agents, other departments' mail and quarantined hostile content. Null when there is no such mail.
/// </summary>
public sealed class ReadRawMail(SportelloDb db)
{
    public Task<byte[]?> HandleAsync(Guid inboundId, CancellationToken cancellationToken = default) =>
        db.InboundMessages.AsNoTracking().Where(m => m.Id == inboundId).Select(m => m.Raw).FirstOrDefaultAsync(cancellationToken);
}
