using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

/// <summary>How first responses measured up against their targets, by department, priority and channel (the rule; <see cref="ReadSlaReport"/> reads the rows).</summary>
public static class SlaReport
{
    public sealed record Group(
        string? Department, string? Priority, string? Channel, int Tickets, int Responded, int WithinTarget, int Missed, int Waiting,
        double? ShareWithinTarget, double? P50Minutes, double? P95Minutes);

    public sealed record Report(DateTime From, DateTime To, Group Overall, IReadOnlyList<Group> Groups)
    {
        /// <summary>Chats opened in the period: time to pickup against the chat row's target, and the visitors' ratings.</summary>
        public ChatGroup? Chat { get; init; }
    }

    public sealed record ChatGroup(
        int Chats, int PickedUp, int WithinTarget, int Missed, int Waiting, double? ShareWithinTarget, double? P50Seconds, double? P95Seconds,
        int Rated, double? AverageRating);

    public sealed record ChatRow(DateTime CreatedAt, DateTime? AcceptedAt, DateTime? ClosedAt, int? Rating);

    public sealed record Row(string Department, string Priority, string Channel, DateTime CreatedAt, DateTime FirstResponseDueAt, DateTime? FirstRespondedAt);

    public static Report Build(DateTime from, DateTime to, IReadOnlyList<Row> rows, DateTime now)
    {
        var groups = rows.GroupBy(r => (r.Department, r.Priority, r.Channel))
            .OrderBy(g => g.Key.Department, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Priority == Priorities.High ? 0 : 1)
            .ThenBy(g => g.Key.Channel, StringComparer.Ordinal)
            .Select(g => Summarize(g.Key.Department, g.Key.Priority, g.Key.Channel, g.ToList(), now))
            .ToList();
        return new Report(from, to, Summarize(null, null, null, rows, now), groups);
    }

    private static Group Summarize(string? department, string? priority, string? channel, IReadOnlyList<Row> rows, DateTime now)
    {
        var responded = rows.Where(r => r.FirstRespondedAt is not null).ToList();
        var within = responded.Count(r => r.FirstRespondedAt <= r.FirstResponseDueAt);
        // A ticket still unanswered after its target has missed it already; one still in time is not counted yet.
        var overdue = rows.Count(r => r.FirstRespondedAt is null && now > r.FirstResponseDueAt);
        var waiting = rows.Count(r => r.FirstRespondedAt is null && now <= r.FirstResponseDueAt);
        var decided = responded.Count + overdue;
        var minutes = responded.Select(r => (r.FirstRespondedAt!.Value - r.CreatedAt).TotalMinutes).Order().ToList();
        return new Group(department, priority, channel, rows.Count, responded.Count, within, responded.Count - within + overdue, waiting,
            decided == 0 ? null : Math.Round((double)within / decided, 4),
            Percentile(minutes, 0.50), Percentile(minutes, 0.95));
    }

    /// <summary>
    /// Pickup is measured from the chat's start to an agent's acceptance. A chat nobody accepted counts as missed
    /// once it waited past the target (also when the visitor gave up); before that it is still waiting.
    /// </summary>
    public static ChatGroup BuildChat(IReadOnlyList<ChatRow> rows, int pickupSeconds, DateTime now)
    {
        var target = TimeSpan.FromSeconds(pickupSeconds);
        var picked = rows.Where(r => r.AcceptedAt is not null).ToList();
        var within = picked.Count(r => r.AcceptedAt!.Value - r.CreatedAt <= target);
        var abandoned = rows.Count(r => r.AcceptedAt is null && (r.ClosedAt ?? now) - r.CreatedAt > target);
        var waiting = rows.Count(r => r.AcceptedAt is null && r.ClosedAt is null && now - r.CreatedAt <= target);
        var decided = picked.Count + abandoned;
        var seconds = picked.Select(r => (r.AcceptedAt!.Value - r.CreatedAt).TotalSeconds).Order().ToList();
        var ratings = rows.Where(r => r.Rating is not null).Select(r => (double)r.Rating!.Value).ToList();
        return new ChatGroup(rows.Count, picked.Count, within, picked.Count - within + abandoned, waiting,
            decided == 0 ? null : Math.Round((double)within / decided, 4),
            Percentile(seconds, 0.50), Percentile(seconds, 0.95),
            ratings.Count, ratings.Count == 0 ? null : Math.Round(ratings.Average(), 2));
    }

    /// <summary>Nearest-rank percentile of sorted values, rounded to a tenth of a minute.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 1);
    }
}
