using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Services;

public sealed record AddServiceRequest(string? Name, string? Product, string? Location, string? OrderNumber, List<string>? IpAddresses);

public sealed record ServiceResponse(Guid Id, string Name, string Product, string Location, string OrderNumber, IReadOnlyList<string> IpAddresses)
{
    public static ServiceResponse From(Service s) =>
        new(s.Id, s.Name, s.Product, s.Location, s.OrderNumber, s.Addresses.Select(a => a.Address).ToList());
}

/// <summary>An admin records a service a customer has bought.</summary>
public sealed class AddService(SportelloDb db, TimeProvider clock)
{
    /// <summary>Null when there is no such customer.</summary>
    public async Task<Outcome<Service>?> HandleAsync(Guid customerId, AddServiceRequest request, CancellationToken cancellationToken = default)
    {
        if (!await Customers.Query(db).AnyAsync(u => u.Id == customerId, cancellationToken))
        {
            return null;
        }
        var errors = new ValidationErrors();
        Required(errors, "name", request.Name, 200);
        Required(errors, "product", request.Product, 100);
        Required(errors, "location", request.Location, 100);
        var orderNumber = OrderNumbers.Normalize(request.OrderNumber);
        if (orderNumber is null)
        {
            errors.Add("orderNumber", "orderNumber must be six digits, such as 123456.");
        }
        else if (await db.Services.AnyAsync(s => s.OrderNumber == orderNumber, cancellationToken))
        {
            errors.Add("orderNumber", "Order #{0} is already recorded for a service.", orderNumber);
        }
        var addresses = await ValidateAddressesAsync(errors, request.IpAddresses, cancellationToken);
        if (errors.Any)
        {
            return Outcome<Service>.Invalid(errors);
        }
        var service = new Service
        {
            Id = Guid.CreateVersion7(),
            CustomerId = customerId,
            Name = request.Name!.Trim(),
            Product = request.Product!.Trim(),
            Location = request.Location!.Trim(),
            OrderNumber = orderNumber!,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        service.Addresses.AddRange(addresses.Select(a => new ServiceAddress { ServiceId = service.Id, Address = a }));
        db.Services.Add(service);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race for the same order number or address: report it like the check above would have.
            return Outcome<Service>.Invalid(new ValidationErrors().Add("orderNumber",
                "The order number or an IP address was recorded for another service at the same moment."));
        }
        return Outcome<Service>.Ok(service);
    }

    private static void Required(ValidationErrors errors, string field, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "{0} is required.", field);
        }
        else if (value.Trim().Length > max)
        {
            errors.Add(field, "{0} is at most {1} characters.", field, max);
        }
    }

    private async Task<List<string>> ValidateAddressesAsync(ValidationErrors errors, List<string>? values, CancellationToken cancellationToken)
    {
        var addresses = new List<string>();
        if (values is null || values.Count == 0)
        {
            errors.Add("ipAddresses", "ipAddresses must list at least one IPv4 or IPv6 address.");
            return addresses;
        }
        for (var i = 0; i < values.Count; i++)
        {
            var address = IpAddresses.Normalize(values[i]);
            if (address is null)
            {
                errors.Add($"ipAddresses[{i}]", "'{0}' is not an IPv4 or IPv6 address.", values[i]);
            }
            else if (addresses.Contains(address))
            {
                errors.Add($"ipAddresses[{i}]", "{0} is listed twice.", address);
            }
            else
            {
                addresses.Add(address);
            }
        }
        var taken = await db.ServiceAddresses.Where(a => addresses.Contains(a.Address)).Select(a => a.Address).ToListAsync(cancellationToken);
        foreach (var address in taken)
        {
            errors.Add($"ipAddresses[{values.FindIndex(v => IpAddresses.Normalize(v) == address)}]", "{0} already belongs to a service.", address);
        }
        return addresses;
    }
}

public static class OrderNumbers
{
    /// <summary>"123456" or "#123456" → "123456"; anything else → null.</summary>
    public static string? Normalize(string? value)
    {
        var text = value?.Trim();
        if (text?.StartsWith('#') == true)
        {
            text = text[1..];
        }
        return text is { Length: 6 } && text.All(char.IsAsciiDigit) ? text : null;
    }
}
