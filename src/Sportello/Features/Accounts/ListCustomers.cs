using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>Admins list the customers, a page at a time, in the order they were created.</summary>
public sealed class ListCustomers(SportelloDb db)
{
    public async Task<Paged<CustomerResponse>> HandleAsync(Page page, CancellationToken cancellationToken = default)
    {
        var rows = await Customers.Query(db).AsNoTracking()
            .Where(u => page.After == null || u.Id > page.After)
            .OrderBy(u => u.Id)
            .Take(page.Limit + 1)
            .ToListAsync(cancellationToken);
        return page.Cut(rows.Select(CustomerResponse.From).ToList(), c => c.Id);
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Customers.Query(db).CountAsync(cancellationToken);
}
