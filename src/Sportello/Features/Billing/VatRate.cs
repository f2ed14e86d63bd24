using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing;

/// <summary>
/// A VAT rate in force for a country (an EU state, <see cref="VatCountries.Us"/> or <see cref="VatCountries.Other"/>) from a
/// date, until a date when it is followed by another. Rates are basis points: 25.5 % is 2550. Every change of rate is a
/// new dated row; a row is never edited into another rate.
/// </summary>
public sealed class VatRate
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Country { get; set; } = "";
    public int RateBasisPoints { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    /// <summary>The last day it applies; null while no later row follows.</summary>
    public DateOnly? EffectiveTo { get; set; }
    /// <summary>Where the rate comes from (a law, the Commission's TEDB, the seed's table).</summary>
    public string Source { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public Guid? CreatedById { get; set; }

    public bool AppliesOn(DateOnly date) => EffectiveFrom <= date && (EffectiveTo is null || date <= EffectiveTo);
}

/// <summary>The audit trail of the rates: who added or withdrew which row, when, and why.</summary>
public sealed class VatRateChange
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid VatRateId { get; set; }
    /// <summary><c>added</c>, <c>ended</c> (a later row closed it), <c>reopened</c> or <c>withdrawn</c>.</summary>
    public string Action { get; set; } = "";
    public string Country { get; set; } = "";
    public int RateBasisPoints { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    public DateOnly? EffectiveTo { get; set; }
    public string Source { get; set; } = "";
    public DateTime At { get; set; }
    public Guid? ById { get; set; }
}

internal sealed class VatRateConfiguration : IEntityTypeConfiguration<VatRate>
{
    public void Configure(EntityTypeBuilder<VatRate> rate)
    {
        rate.ToTable("VatRates");
        rate.HasKey(r => r.Id);
        rate.Property(r => r.Country).HasMaxLength(5).IsRequired();
        rate.Property(r => r.Source).HasMaxLength(500).IsRequired();
        rate.HasIndex(r => new { r.Country, r.EffectiveFrom }).IsUnique();
        rate.HasOne<User>().WithMany().HasForeignKey(r => r.CreatedById).OnDelete(DeleteBehavior.SetNull);
        // The rates Sportello ships (VatTable): written by the migrations, so every database starts with them.
        rate.HasData(VatTable.Shipped());
    }
}

internal sealed class VatRateChangeConfiguration : IEntityTypeConfiguration<VatRateChange>
{
    public void Configure(EntityTypeBuilder<VatRateChange> change)
    {
        change.ToTable("VatRateChanges");
        change.HasKey(c => c.Id);
        change.Property(c => c.Action).HasMaxLength(20).IsRequired();
        change.Property(c => c.Country).HasMaxLength(5).IsRequired();
        change.Property(c => c.Source).HasMaxLength(500).IsRequired();
        change.HasIndex(c => c.At);
        change.HasOne<User>().WithMany().HasForeignKey(c => c.ById).OnDelete(DeleteBehavior.SetNull);
    }
}
