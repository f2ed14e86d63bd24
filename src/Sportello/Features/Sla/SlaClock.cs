using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

public static class SlaStates
{
    public const string Ok = "ok";
    public const string AtRisk = "at-risk";
    public const string Breached = "breached";
}

/// <summary>
/// The response clocks of a ticket. The first-response clock starts at creation and stops at the first public
/// agent reply; afterwards a next-response clock runs while the ticket waits on support and stops (pauses) while it
/// waits on the customer. At 80 % of a target the ticket is at risk; at 100 % it is breached.
/// </summary>
public static class SlaClock
{
    public const double AtRiskShare = 0.8;

    public static string StateOf(Ticket ticket, DateTime now)
    {
        if (ticket.DueAt is not { } due || ticket.DueStartedAt is not { } started)
        {
            return SlaStates.Ok;
        }
        if (now >= due)
        {
            return SlaStates.Breached;
        }
        return now >= AtRiskMoment(started, due) ? SlaStates.AtRisk : SlaStates.Ok;
    }

    public static DateTime AtRiskMoment(DateTime started, DateTime due) =>
        started + TimeSpan.FromTicks((long)((due - started).Ticks * AtRiskShare));

    public static void Open(Ticket ticket, SlaPolicy policy, DateTime now)
    {
        ticket.FirstResponseDueAt = now.AddMinutes(policy.FirstResponseMinutes);
        Run(ticket, now, ticket.FirstResponseDueAt);
    }

    /// <summary>A public agent reply: records the first response, and stops whatever clock runs.</summary>
    public static void AgentReplied(Ticket ticket, DateTime now)
    {
        if (ticket.FirstRespondedAt is null)
        {
            ticket.FirstRespondedAt = now;
            ticket.FirstResponseBreached |= now > ticket.FirstResponseDueAt;
        }
        Stop(ticket);
    }

    /// <summary>
    /// The ticket waits on support again (a customer reply, a reopen). A running clock goes on; a stopped one resumes
    /// the first-response target if there never was a first response, else starts a next-response target.
    /// </summary>
    public static void CustomerReplied(Ticket ticket, SlaPolicy policy, DateTime now)
    {
        if (ticket.DueAt is not null)
        {
            return;
        }
        if (ticket.FirstRespondedAt is null)
        {
            Run(ticket, ticket.CreatedAt, ticket.FirstResponseDueAt);
        }
        else
        {
            Run(ticket, now, now.AddMinutes(policy.NextResponseMinutes));
        }
    }

    public static void Stop(Ticket ticket)
    {
        ticket.DueAt = null;
        ticket.DueStartedAt = null;
        ticket.AtRiskDueAt = null;
        ticket.AtRiskAt = null;
        ticket.BreachedAt = null;
    }

    /// <summary>A new priority or channel changes the target of the running clock, not its start.</summary>
    public static void Retarget(Ticket ticket, SlaPolicy policy, DateTime now)
    {
        if (ticket.FirstRespondedAt is null)
        {
            ticket.FirstResponseDueAt = ticket.CreatedAt.AddMinutes(policy.FirstResponseMinutes);
        }
        if (ticket.DueStartedAt is not { } started)
        {
            return;
        }
        var due = ticket.FirstRespondedAt is null ? ticket.FirstResponseDueAt : started.AddMinutes(policy.NextResponseMinutes);
        // Marks already made stay: a wait that was late does not become on time, nor fire twice, by a new priority.
        ticket.DueAt = due;
        ticket.AtRiskDueAt = ticket.AtRiskAt is null ? AtRiskMoment(started, due) : null;
    }

    public static bool WaitsOnSupport(string status) => TicketStatus.WaitingOnSupport.Contains(status);

    private static void Run(Ticket ticket, DateTime started, DateTime due)
    {
        ticket.DueStartedAt = started;
        ticket.DueAt = due;
        ticket.AtRiskDueAt = AtRiskMoment(started, due);
        ticket.AtRiskAt = null;
        ticket.BreachedAt = null;
    }
}
