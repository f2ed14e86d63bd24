namespace Sportello.Features.Sla;

/// <summary>
/// The pickup target of a waiting chat (the chat row of the SLA policies, 60 seconds by default): at 80 % of it the
/// chat is at risk, past it breached, like a ticket's response clock.
/// </summary>
public static class ChatPickup
{
    public const int DefaultSeconds = 60;

    public static DateTime DueAt(DateTime waitingSince, int? pickupSeconds) => waitingSince.AddSeconds(pickupSeconds ?? DefaultSeconds);

    /// <summary>The state of a chat still waiting; an accepted or closed one has no pickup clock (<see cref="SlaStates.Ok"/>).</summary>
    public static string StateOf(bool waiting, DateTime waitingSince, int? pickupSeconds, DateTime now)
    {
        if (!waiting)
        {
            return SlaStates.Ok;
        }
        var due = DueAt(waitingSince, pickupSeconds);
        return now >= due ? SlaStates.Breached : now >= SlaClock.AtRiskMoment(waitingSince, due) ? SlaStates.AtRisk : SlaStates.Ok;
    }
}
