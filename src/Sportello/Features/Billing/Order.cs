using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;
using Sportello.Features.Services;

namespace Sportello.Features.Billing;

/// <summary>An order: its six-digit number (<c>#123456</c>, the one its services carry), what was ordered, at what net price.</summary>
public sealed class Order
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Number { get; set; } = "";
    public Guid CustomerId { get; set; }
    public DateTime CreatedAt { get; set; }
    public Guid? CreatedById { get; set; }
    public long NetCents { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
}

public sealed class OrderLine
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrderId { get; set; }
    public int Position { get; set; }
    public string Description { get; set; } = "";
    public long NetCents { get; set; }
    public Guid? ServiceId { get; set; }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> order)
    {
        order.ToTable("Orders");
        order.HasKey(o => o.Id);
        order.Property(o => o.Number).HasMaxLength(6).IsRequired();
        order.HasIndex(o => o.Number).IsUnique();
        order.HasIndex(o => new { o.CustomerId, o.CreatedAt });
        order.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        order.HasOne<User>().WithMany().HasForeignKey(o => o.CustomerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> line)
    {
        line.ToTable("OrderLines");
        line.HasKey(l => l.Id);
        line.Property(l => l.Description).HasMaxLength(IssueInvoice.MaxDescription).IsRequired();
        line.HasIndex(l => new { l.OrderId, l.Position }).IsUnique();
        line.HasOne<Service>().WithMany().HasForeignKey(l => l.ServiceId).OnDelete(DeleteBehavior.SetNull);
    }
}
