using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

/// <summary>Response targets for one channel and priority, editable by admins.</summary>
public sealed class SlaPolicy
{
    public string Channel { get; set; } = "";
    public string Priority { get; set; } = "";
    public int FirstResponseMinutes { get; set; }
    public int NextResponseMinutes { get; set; }
    /// <summary>Chat rows only: how long a waiting chat may wait for an agent to accept it.</summary>
    public int? PickupSeconds { get; set; }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> policy)
    {
        policy.ToTable("SlaPolicies");
        policy.HasKey(p => new { p.Channel, p.Priority });
        policy.Property(p => p.Channel).HasMaxLength(10);
        policy.Property(p => p.Priority).HasMaxLength(10);
        // The seed's promises: tickets answered within 10 minutes, email within 15-30 (30 is the target).
        policy.HasData(
            new SlaPolicy { Channel = Channels.Web, Priority = Priorities.Normal, FirstResponseMinutes = 10, NextResponseMinutes = 120 },
            new SlaPolicy { Channel = Channels.Web, Priority = Priorities.High, FirstResponseMinutes = 10, NextResponseMinutes = 30 },
            new SlaPolicy { Channel = Channels.Email, Priority = Priorities.Normal, FirstResponseMinutes = 30, NextResponseMinutes = 120 },
            new SlaPolicy { Channel = Channels.Email, Priority = Priorities.High, FirstResponseMinutes = 30, NextResponseMinutes = 30 },
            new SlaPolicy { Channel = Channels.Chat, Priority = Priorities.Normal, FirstResponseMinutes = 10, NextResponseMinutes = 120, PickupSeconds = 60 },
            new SlaPolicy { Channel = Channels.Chat, Priority = Priorities.High, FirstResponseMinutes = 10, NextResponseMinutes = 30, PickupSeconds = 60 });
    }
}
