using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

/// <summary>
/// The first-response figures of the tickets opened in one hour (UTC) in one department, priority and channel, as
/// <see cref="SlaRollup"/> last counted them: what the SLA report reads instead of the tickets of a settled hour.
/// </summary>
public sealed class SlaHour
{
    public DateTime Hour { get; set; }
    public string Department { get; set; } = "";
    public string Priority { get; set; } = "";
    public string Channel { get; set; } = "";
    public int Tickets { get; set; }
    public int Responded { get; set; }
    public int WithinTarget { get; set; }
    public int Unanswered { get; set; }
    /// <summary>The latest first-response target among the unanswered: until it has passed, one of them may still be in time.</summary>
    public DateTime? LatestDue { get; set; }
    /// <summary>Each first response's minutes in tenths as the report rounds them, ascending, comma-separated (percentiles need them all).</summary>
    public string ResponseTenths { get; set; } = "";
    /// <summary>The roll-up that counted this hour (<see cref="SlaRollupState.Version"/>): every group of the hour has it, and it never changes after.</summary>
    public Guid? Revision { get; set; }
}

/// <summary>
/// The same figures for one whole day (UTC), summed from its <see cref="SlaHour"/> rows whenever any of them is
/// counted again: a month's report reads 30 of these per group, and hours only at its edges and around changes.
/// </summary>
public sealed class SlaDay
{
    public DateTime Day { get; set; }
    public string Department { get; set; } = "";
    public string Priority { get; set; } = "";
    public string Channel { get; set; } = "";
    public int Tickets { get; set; }
    public int Responded { get; set; }
    public int WithinTarget { get; set; }
    public int Unanswered { get; set; }
    /// <summary>The latest first-response target among the day's unanswered tickets.</summary>
    public DateTime? LatestDue { get; set; }
    /// <summary>The first responses' minutes in tenths as a histogram, ascending: <c>tenths:count</c>, comma-separated.</summary>
    public string ResponseHistogram { get; set; } = "";
    /// <summary>The roll-up that summed this day (<see cref="SlaRollupState.Version"/>): every group of the day has it, and it never changes after.</summary>
    public Guid? Revision { get; set; }
}

/// <summary>How far the roll-up has gone: the hours it covers, and the instant up to which every ticket change is in them.</summary>
public sealed class SlaRollupState
{
    public int Id { get; set; }
    public DateTime CoveredFrom { get; set; }
    public DateTime CoveredTo { get; set; }
    /// <summary>Every ticket change stamped at or before this instant is counted in the covered hours; a later one marks its hour dirty.</summary>
    public DateTime Watermark { get; set; }
    public DateTime RolledAt { get; set; }
    /// <summary>Renewed by each roll-up: with several nodes, only the one whose conditional update wins it writes.</summary>
    public Guid Version { get; set; }
}

internal sealed class SlaHourConfiguration : IEntityTypeConfiguration<SlaHour>
{
    public void Configure(EntityTypeBuilder<SlaHour> hour)
    {
        hour.ToTable("SlaHours");
        hour.HasKey(h => new { h.Hour, h.Department, h.Priority, h.Channel });
        hour.Property(h => h.Department).HasMaxLength(20);
        hour.Property(h => h.Priority).HasMaxLength(10);
        hour.Property(h => h.Channel).HasMaxLength(10);
    }
}

internal sealed class SlaDayConfiguration : IEntityTypeConfiguration<SlaDay>
{
    public void Configure(EntityTypeBuilder<SlaDay> day)
    {
        day.ToTable("SlaDays");
        day.HasKey(d => new { d.Day, d.Department, d.Priority, d.Channel });
        day.Property(d => d.Department).HasMaxLength(20);
        day.Property(d => d.Priority).HasMaxLength(10);
        day.Property(d => d.Channel).HasMaxLength(10);
    }
}

internal sealed class SlaRollupStateConfiguration : IEntityTypeConfiguration<SlaRollupState>
{
    public void Configure(EntityTypeBuilder<SlaRollupState> state)
    {
        state.ToTable("SlaRollup");
        state.HasKey(s => s.Id);
        state.Property(s => s.Id).ValueGeneratedNever();
    }
}

/// <summary>The SLA roll-up's own index on tickets: those changed since its watermark, found without reading the period.</summary>
internal sealed class SlaTicketIndexConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> ticket) =>
        ticket.HasIndex(t => new { t.UpdatedAt, t.CreatedAt }).HasDatabaseName("IX_Tickets_UpdatedAt_CreatedAt");
}
