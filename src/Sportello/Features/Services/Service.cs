using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;

namespace Sportello.Features.Services;

/// <summary>A customer's hosting service (VPS, dedicated server...), as shown in the Client Area.</summary>
public sealed class Service
{
    public Guid Id { get; set; }
    public Guid CustomerId { get; set; }
    /// <summary>The name as shown in the Client Area.</summary>
    public string Name { get; set; } = "";
    public string Product { get; set; } = "";
    /// <summary>Location or datacenter.</summary>
    public string Location { get; set; } = "";
    /// <summary>Six digits, unique across the system; written #123456.</summary>
    public string OrderNumber { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public List<ServiceAddress> Addresses { get; set; } = [];
}

/// <summary>An IP address of a service (canonical text form); an address belongs to one service.</summary>
public sealed class ServiceAddress
{
    public Guid ServiceId { get; set; }
    public string Address { get; set; } = "";
}

internal sealed class ServiceConfiguration : IEntityTypeConfiguration<Service>
{
    public void Configure(EntityTypeBuilder<Service> service)
    {
        service.ToTable("Services");
        service.HasKey(s => s.Id);
        service.Property(s => s.Name).HasMaxLength(200).IsRequired();
        service.Property(s => s.Product).HasMaxLength(100).IsRequired();
        service.Property(s => s.Location).HasMaxLength(100).IsRequired();
        service.Property(s => s.OrderNumber).HasMaxLength(6).IsRequired();
        service.HasIndex(s => s.OrderNumber).IsUnique();
        service.HasIndex(s => s.CustomerId);
        service.HasOne<User>().WithMany().HasForeignKey(s => s.CustomerId).OnDelete(DeleteBehavior.Restrict);
        service.HasMany(s => s.Addresses).WithOne().HasForeignKey(a => a.ServiceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ServiceAddressConfiguration : IEntityTypeConfiguration<ServiceAddress>
{
    public void Configure(EntityTypeBuilder<ServiceAddress> address)
    {
        address.ToTable("ServiceAddresses");
        address.HasKey(a => new { a.ServiceId, a.Address });
        address.Property(a => a.Address).HasMaxLength(45);
        address.HasIndex(a => a.Address).IsUnique();
    }
}
