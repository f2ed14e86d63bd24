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

    /// <summary>The customer registered with <paramref name="email"/> (any case), or null: how admin forms name a customer.</summary>
    public Task<User?> ByEmailAsync(string? email, CancellationToken cancellationToken = default)
    {
        var normalized = email?.Trim().ToUpperInvariant();
        return string.IsNullOrEmpty(normalized)
            ? Task.FromResult<User?>(null)
            : Customers.Query(db).AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }

    /// <summary>Name and registered email of each of <paramref name="customerIds"/> that is a customer: the columns of admin lists.</summary>
    public Task<Dictionary<Guid, CustomerContact>> ContactsAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken cancellationToken = default) =>
        Customers.Query(db).AsNoTracking().Where(u => customerIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => new CustomerContact(u.Id, u.Name, u.Email ?? ""), cancellationToken);
}

public sealed record CustomerContact(Guid Id, string Name, string Email);
