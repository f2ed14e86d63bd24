using Sportello.Features.Services;

namespace Sportello.Features.Notices;

/// <summary>What a notice affects, as an admin names it (<c>affects</c>).</summary>
/// <summary>
/// What a notice affects, as an admin names it (<c>affects</c>). <c>orderNumbers</c> names services by their order
/// number (<c>123456</c> or <c>#123456</c>), as people know them; they join <c>serviceIds</c>.
/// </summary>
public sealed record NoticeAffects(List<string>? Locations, List<string>? Products, List<Guid>? ServiceIds, List<string>? OrderNumbers = null);

/// <summary>
/// The one rule of who a notice reaches. Locations and products narrow each other: with both, a service must be in
/// one of the locations and of one of the products (a VPS outage in Milan); with one of them, that one alone.
/// Services named one by one are added to those. A customer is reached when at least one of their services is.
/// </summary>
public static class NoticeTargets
{
    public static IQueryable<Service> Affected(IQueryable<Service> services, Notice notice) =>
        Affected(services, notice.Locations, notice.Products, notice.ServiceIds);

    public static IQueryable<Service> Affected(IQueryable<Service> services, List<string> locations, List<string> products, List<Guid> serviceIds) =>
        (locations.Count > 0, products.Count > 0) switch
        {
            (true, true) => services.Where(s => serviceIds.Contains(s.Id) || (locations.Contains(s.Location) && products.Contains(s.Product))),
            (true, false) => services.Where(s => serviceIds.Contains(s.Id) || locations.Contains(s.Location)),
            (false, true) => services.Where(s => serviceIds.Contains(s.Id) || products.Contains(s.Product)),
            _ => services.Where(s => serviceIds.Contains(s.Id)),
        };
}
