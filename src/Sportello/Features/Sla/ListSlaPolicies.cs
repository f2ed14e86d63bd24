using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

/// <summary>Every target, by channel, High before Normal.</summary>
public sealed class ListSlaPolicies(SportelloDb db)
{
    public Task<List<SlaPolicyView>> HandleAsync(CancellationToken cancellationToken = default) =>
        db.SlaPolicies.AsNoTracking()
            .OrderBy(p => p.Channel).ThenBy(p => p.Priority == Priorities.High ? 0 : 1)
            .Select(p => new SlaPolicyView(p.Channel, p.Priority, p.FirstResponseMinutes, p.NextResponseMinutes, p.PickupSeconds))
            .ToListAsync(cancellationToken);
}
