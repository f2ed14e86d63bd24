using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing;

public static class InvoiceKinds
{
    public const string Invoice = "invoice";
    public const string CreditNote = "credit-note";
}

/// <summary>
/// An invoice or a credit note, as issued: its number, the seller and the buyer as they were that day, its lines with
/// their VAT, and the rule that taxed it. Nothing changes it once issued; a correction is a credit note that names it.
/// </summary>
public sealed class Invoice
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    /// <summary><c>2026/000123</c>: one gapless sequence per year, shared by invoices and credit notes.</summary>
    public string Number { get; set; } = "";
    public int Year { get; set; }
    public int Sequence { get; set; }
    public string Kind { get; set; } = InvoiceKinds.Invoice;
    public Guid CustomerId { get; set; }
    /// <summary>The order it bills, if any.</summary>
    public Guid? OrderId { get; set; }
    /// <summary>The invoice a credit note corrects.</summary>
    public Guid? CreditOfId { get; set; }
    public string? Reason { get; set; }
    public DateTime IssuedAt { get; set; }
    /// <summary>The issue date in the seller's zone.</summary>
    public DateOnly IssueDate { get; set; }
    public Guid? IssuedById { get; set; }
    public string SellerName { get; set; } = "";
    public string SellerAddress { get; set; } = "";
    public string SellerCountry { get; set; } = "";
    public string SellerVatId { get; set; } = "";
    public string BuyerName { get; set; } = "";
    public string? BuyerCompany { get; set; }
    public string? BuyerAddress { get; set; }
    public string BuyerCountry { get; set; } = "";
    public string? BuyerVatId { get; set; }
    /// <summary>The VAT rule (<see cref="VatRuleKinds"/>), and whether the online VIES check was made (<c>not-made</c> offline).</summary>
    public string Rule { get; set; } = VatRuleKinds.Consumer;
    public string ViesCheck { get; set; } = ViesChecks.NotMade;
    public string Language { get; set; } = "en";
    public long NetCents { get; set; }
    public long VatCents { get; set; }
    public long GrossCents { get; set; }
    public List<InvoiceLine> Lines { get; set; } = [];

    public bool ReverseCharge => Rule == VatRuleKinds.ReverseCharge;
}

public sealed class InvoiceLine
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid InvoiceId { get; set; }
    public int Position { get; set; }
    public string Description { get; set; } = "";
    /// <summary>Negative on a credit note.</summary>
    public long NetCents { get; set; }
    public int RateBasisPoints { get; set; }
    public long VatCents { get; set; }
}

/// <summary>The last number given in a year: the row is locked by the transaction that issues, so numbers have no gaps.</summary>
public sealed class InvoiceSequence
{
    public int Year { get; set; }
    public int Last { get; set; }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> invoice)
    {
        invoice.ToTable("Invoices");
        invoice.HasKey(i => i.Id);
        invoice.Property(i => i.Number).HasMaxLength(20).IsRequired();
        invoice.HasIndex(i => i.Number).IsUnique();
        invoice.HasIndex(i => new { i.Year, i.Sequence }).IsUnique();
        invoice.HasIndex(i => new { i.CustomerId, i.IssuedAt });
        invoice.HasIndex(i => i.CreditOfId);
        invoice.Property(i => i.Kind).HasMaxLength(20).IsRequired();
        invoice.Property(i => i.Reason).HasMaxLength(1000);
        foreach (var name in new[] { nameof(Invoice.SellerName), nameof(Invoice.SellerVatId), nameof(Invoice.BuyerName), nameof(Invoice.BuyerCompany), nameof(Invoice.BuyerVatId) })
        {
            invoice.Property(name).HasMaxLength(200);
        }
        invoice.Property(i => i.SellerAddress).HasMaxLength(500);
        invoice.Property(i => i.BuyerAddress).HasMaxLength(500);
        invoice.Property(i => i.SellerCountry).HasMaxLength(2).IsRequired();
        invoice.Property(i => i.BuyerCountry).HasMaxLength(2).IsRequired();
        invoice.Property(i => i.Rule).HasMaxLength(20).IsRequired();
        invoice.Property(i => i.ViesCheck).HasMaxLength(20).IsRequired();
        invoice.Property(i => i.Language).HasMaxLength(5).IsRequired();
        invoice.Ignore(i => i.ReverseCharge);
        invoice.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        invoice.HasOne<User>().WithMany().HasForeignKey(i => i.CustomerId).OnDelete(DeleteBehavior.Restrict);
        invoice.HasOne<Invoice>().WithMany().HasForeignKey(i => i.CreditOfId).OnDelete(DeleteBehavior.Restrict);
        invoice.HasOne<Order>().WithMany().HasForeignKey(i => i.OrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InvoiceLineConfiguration : IEntityTypeConfiguration<InvoiceLine>
{
    public void Configure(EntityTypeBuilder<InvoiceLine> line)
    {
        line.ToTable("InvoiceLines");
        line.HasKey(l => l.Id);
        line.Property(l => l.Description).HasMaxLength(IssueInvoice.MaxDescription).IsRequired();
        line.HasIndex(l => new { l.InvoiceId, l.Position }).IsUnique();
    }
}

internal sealed class InvoiceSequenceConfiguration : IEntityTypeConfiguration<InvoiceSequence>
{
    public void Configure(EntityTypeBuilder<InvoiceSequence> sequence)
    {
        sequence.ToTable("InvoiceSequences");
        sequence.HasKey(s => s.Year);
        sequence.Property(s => s.Year).ValueGeneratedNever();
    }
}
