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

    public static Report Build(DateTime from, DateTime to, IReadOnlyList<Row> rows, DateTime now) =>
        Build(from, to, rows.GroupBy(r => (r.Department, r.Priority, r.Channel)).Select(g => (g.Key, Tally.Of(g, now))), now);

    /// <summary>The report from counts per group (a group may come several times: an hour's roll-up, the tickets read live).</summary>
    public static Report Build(DateTime from, DateTime to, IEnumerable<((string Department, string Priority, string Channel) Key, Tally Tally)> tallies, DateTime now) =>
        Build(from, to, tallies, null, now);

    /// <summary>
    /// The same, with the overall counts given as parts that add up to every group's (the roll-up keeps each period's
    /// sum over its groups): the overall histogram is then added from a few parts instead of again from every group's.
    /// </summary>
    public static Report Build(DateTime from, DateTime to, IEnumerable<((string Department, string Priority, string Channel) Key, Tally Tally)> tallies,
        IEnumerable<Tally>? overall, DateTime now)
    {
        var groups = tallies.GroupBy(t => t.Key, t => t.Tally)
            .OrderBy(g => g.Key.Department, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Priority == Priorities.High ? 0 : 1)
            .ThenBy(g => g.Key.Channel, StringComparer.Ordinal)
            .Select(g => (g.Key, Tally: Tally.Sum(g)))
            .ToList();
        return new Report(from, to, Summarize(null, null, null, Tally.Sum(overall ?? groups.Select(g => g.Tally))),
            groups.Select(g => Summarize(g.Key.Department, g.Key.Priority, g.Key.Channel, g.Tally)).ToList());
    }

    /// <summary>
    /// What a set of tickets adds to a group. A ticket still unanswered after its target has missed it already (overdue);
    /// one still in time is waiting, not counted yet. Response times are kept in tenths of a minute, the report's
    /// rounding, as a histogram (tenths → how many responses, ascending): nearest-rank percentiles need the counts, not every value.
    /// </summary>
    public sealed record Tally(int Tickets, int Responded, int WithinTarget, int Overdue, int Waiting, IReadOnlyList<(long Tenths, int Count)> Responses)
    {
        public static Tally Of(IEnumerable<Row> rows, DateTime now)
        {
            int tickets = 0, responded = 0, within = 0, overdue = 0, waiting = 0;
            var tenths = new Dictionary<long, int>();
            foreach (var r in rows)
            {
                tickets++;
                if (r.FirstRespondedAt is { } at)
                {
                    responded++;
                    within += at <= r.FirstResponseDueAt ? 1 : 0;
                    var key = Tenths((at - r.CreatedAt).TotalMinutes);
                    tenths[key] = tenths.GetValueOrDefault(key) + 1;
                }
                else if (now > r.FirstResponseDueAt)
                {
                    overdue++;
                }
                else
                {
                    waiting++;
                }
            }
            return new Tally(tickets, responded, within, overdue, waiting, Sorted(tenths));
        }

        public static Tally Sum(IEnumerable<Tally> tallies)
        {
            var all = tallies.ToList();
            if (all.Count == 1)
            {
                return all[0];
            }
            return new Tally(all.Sum(t => t.Tickets), all.Sum(t => t.Responded), all.Sum(t => t.WithinTarget), all.Sum(t => t.Overdue),
                all.Sum(t => t.Waiting), Merge(all.Select(t => t.Responses)));
        }

        /// <summary>
        /// Histograms added together, ascending. A month's report adds a histogram per group and period, thousands of
        /// entries each on a busy desk: each comes ascending (counted, parsed or added so), so they are merged two at a
        /// time as a merge sort does, with no hashing and no sort, the two shortest first (as Huffman's code is built):
        /// a long one, such as a month's settled days kept summed, is copied once, not once per level. One that is not
        /// ascending is sorted first.
        /// </summary>
        public static List<(long Tenths, int Count)> Merge(IEnumerable<IReadOnlyList<(long Tenths, int Count)>> histograms)
        {
            var merging = new PriorityQueue<List<(long Tenths, int Count)>, int>();
            foreach (var histogram in histograms)
            {
                if (histogram.Count > 0)
                {
                    var ascending = Ascending(histogram);
                    merging.Enqueue(ascending, ascending.Count);
                }
            }
            if (merging.Count == 0)
            {
                return [];
            }
            if (merging.Count == 1)
            {
                return merging.Dequeue();
            }
            while (merging.Count > 1)
            {
                var merged = MergeTwo(merging.Dequeue(), merging.Dequeue());
                merging.Enqueue(merged, merged.Count);
            }
            // A list of the merge's own, sized for every entry it was given: a month's sum, kept, is kept at its length.
            var sum = merging.Dequeue();
            sum.TrimExcess();
            return sum;
        }

        /// <summary>The histogram strictly ascending by tenths: itself when it already is (never changed after), else sorted with equal tenths added.</summary>
        public static List<(long Tenths, int Count)> Ascending(IReadOnlyList<(long Tenths, int Count)> histogram)
        {
            for (var i = 1; i < histogram.Count; i++)
            {
                if (histogram[i].Tenths <= histogram[i - 1].Tenths)
                {
                    return histogram.GroupBy(h => h.Tenths).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(h => h.Count))).ToList();
                }
            }
            return histogram as List<(long Tenths, int Count)> ?? [.. histogram];
        }

        private static List<(long Tenths, int Count)> MergeTwo(List<(long Tenths, int Count)> a, List<(long Tenths, int Count)> b)
        {
            var merged = new List<(long Tenths, int Count)>(a.Count + b.Count);
            int i = 0, j = 0;
            while (i < a.Count && j < b.Count)
            {
                var (x, y) = (a[i], b[j]);
                if (x.Tenths < y.Tenths)
                {
                    merged.Add(x);
                    i++;
                }
                else if (y.Tenths < x.Tenths)
                {
                    merged.Add(y);
                    j++;
                }
                else
                {
                    merged.Add((x.Tenths, x.Count + y.Count));
                    i++;
                    j++;
                }
            }
            for (; i < a.Count; i++)
            {
                merged.Add(a[i]);
            }
            for (; j < b.Count; j++)
            {
                merged.Add(b[j]);
            }
            return merged;
        }

        private static List<(long Tenths, int Count)> Sorted(Dictionary<long, int> counts) =>
            counts.OrderBy(c => c.Key).Select(c => (c.Key, c.Value)).ToList();

        /// <summary>Minutes rounded to a tenth as <see cref="Math.Round(double, int)"/> does, as a whole number of tenths.</summary>
        public static long Tenths(double minutes) => (long)Math.Round(Math.Round(minutes, 1) * 10);
    }

    private static Group Summarize(string? department, string? priority, string? channel, Tally tally)
    {
        var decided = tally.Responded + tally.Overdue;
        return new Group(department, priority, channel, tally.Tickets, tally.Responded, tally.WithinTarget,
            tally.Responded - tally.WithinTarget + tally.Overdue, tally.Waiting,
            decided == 0 ? null : Math.Round((double)tally.WithinTarget / decided, 4),
            Percentile(tally.Responses, 0.50), Percentile(tally.Responses, 0.95));
    }

    /// <summary>Nearest-rank percentile of a histogram of tenths of a minute (ascending), in minutes.</summary>
    private static double? Percentile(IReadOnlyList<(long Tenths, int Count)> histogram, double p)
    {
        var total = histogram.Sum(h => h.Count);
        if (total == 0)
        {
            return null;
        }
        var rank = Math.Clamp((int)Math.Ceiling(p * total), 1, total);
        foreach (var (tenths, count) in histogram)
        {
            rank -= count;
            if (rank <= 0)
            {
                return Math.Round(tenths / 10.0, 1);
            }
        }
        return Math.Round(histogram[^1].Tenths / 10.0, 1);
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
