using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Services;

/// <summary>A customer's services: all of them by name for pickers and pages, or a page at a time in the order they were added.</summary>
public sealed class ListServices(SportelloDb db)
{
    public Task<List<Service>> AllAsync(Guid customerId, CancellationToken cancellationToken = default) =>
        db.Services.Include(s => s.Addresses).Where(s => s.CustomerId == customerId)
            .OrderBy(s => s.Name).ThenBy(s => s.OrderNumber).AsNoTracking().ToListAsync(cancellationToken);

    public async Task<Paged<ServiceResponse>> PageAsync(Guid customerId, Page page, CancellationToken cancellationToken = default)
    {
        var rows = await db.Services.Include(s => s.Addresses).AsNoTracking()
            .Where(s => s.CustomerId == customerId && (page.After == null || s.Id > page.After))
            .OrderBy(s => s.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return page.Cut(rows.Select(ServiceResponse.From).ToList(), s => s.Id);
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => db.Services.CountAsync(cancellationToken);
}
