using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>One customer's account, for admins; null when there is no such customer (an agent's or admin's id too).</summary>
public sealed class ReadCustomer(SportelloDb db)
{
    public Task<User?> HandleAsync(Guid customerId, CancellationToken cancellationToken = default) =>
        Customers.Query(db).AsNoTracking().FirstOrDefaultAsync(u => u.Id == customerId, cancellationToken);

    public Task<bool> ExistsAsync(Guid customerId, CancellationToken cancellationToken = default) =>
        Customers.Query(db).AnyAsync(u => u.Id == customerId, cancellationToken);
}
