using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Services;

/// <summary>Finds a customer's own service by the reference they give: an order number (#123456) or an IP address.</summary>
public static class ServiceLookup
{
    /// <summary>Null when none of <paramref name="customerId"/>'s services matches (whether or not someone else's does).</summary>
    public static async Task<Service?> FindOwnAsync(SportelloDb db, Guid customerId, string reference, CancellationToken cancellationToken)
    {
        if (OrderNumbers.Normalize(reference) is { } orderNumber)
        {
            return await db.Services.FirstOrDefaultAsync(s => s.CustomerId == customerId && s.OrderNumber == orderNumber, cancellationToken);
        }
        if (IpAddresses.Normalize(reference) is { } address)
        {
            return await db.Services.FirstOrDefaultAsync(
                s => s.CustomerId == customerId && s.Addresses.Any(a => a.Address == address), cancellationToken);
        }
        return null;
    }

    public static Task<Service?> FindOwnAsync(SportelloDb db, Guid customerId, Guid serviceId, CancellationToken cancellationToken) =>
        db.Services.FirstOrDefaultAsync(s => s.Id == serviceId && s.CustomerId == customerId, cancellationToken);
}
