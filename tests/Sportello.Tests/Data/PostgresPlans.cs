using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sportello.Data;
using Sportello.Features.Tickets;

namespace Sportello.Tests.Data;

/// <summary>
/// PostgreSQL's own plans, for the tests of a read that must walk an index at any size: a desk grown in SQL from tickets
/// the product stored, and <c>EXPLAIN (FORMAT JSON)</c> of a statement with the values it ran with (PostgreSQL plans a
/// statement's first runs for their values).
/// </summary>
internal static class PostgresPlans
{
    /// <summary>
    /// <paramref name="copies"/> copies of one ticket as the product stored it, each with its own id and number
    /// (<paramref name="prefix"/> and its place, 1 to <paramref name="copies"/>). <paramref name="changes"/> sets columns
    /// otherwise, each to an SQL expression over the template <c>t</c> and the copy's place <c>g</c>.
    /// </summary>
    public static async Task CopyTicketsAsync(SportelloDb db, Guid template, int copies, string prefix, CancellationToken token,
        IReadOnlyDictionary<string, string>? changes = null)
    {
        var columns = await db.Database.SqlQueryRaw<string>(
            "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'Tickets'").ToListAsync(token);
        var names = string.Join(", ", columns.Select(c => $"\"{c}\""));
        var values = string.Join(", ", columns.Select(c => c switch
        {
            "Id" => "gen_random_uuid()",
            "Number" => $"'{prefix}-' || lpad(g::text, 6, '0')",
            _ => changes?.GetValueOrDefault(c) ?? $"t.\"{c}\"",
        }));
        // The names are the table's own, read above; the changes are the test's; the values are parameters.
        var copy = $"INSERT INTO \"Tickets\" ({names}) SELECT {values} FROM \"Tickets\" t, generate_series(1, @copies) g WHERE t.\"Id\" = @template";
        await db.Database.ExecuteSqlRawAsync(copy, [new NpgsqlParameter("copies", copies), new NpgsqlParameter("template", template)], token);
    }

    /// <summary>The plan PostgreSQL makes for <paramref name="query"/>, its root node.</summary>
    public static async Task<JsonElement> PlanAsync(SportelloDb db, IQueryable<Ticket> query, CancellationToken token)
    {
        await db.Database.OpenConnectionAsync(token);
        await using var command = query.CreateDbCommand();
        return await PlanAsync(command, token);
    }

    /// <summary>The plan PostgreSQL makes for <paramref name="sql"/> run with <paramref name="parameters"/>, its root node.</summary>
    public static async Task<JsonElement> PlanAsync(NpgsqlConnection connection, string sql, IEnumerable<NpgsqlParameter> parameters, CancellationToken token)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
        return await PlanAsync(command, token);
    }

    /// <summary>Every node of the plan under <paramref name="node"/>, itself first.</summary>
    public static IEnumerable<JsonElement> Nodes(JsonElement node) =>
        node.TryGetProperty("Plans", out var children) ? [node, .. children.EnumerateArray().SelectMany(Nodes)] : [node];

    /// <summary>The nodes that read <paramref name="table"/>.</summary>
    public static IEnumerable<JsonElement> Reading(JsonElement plan, string table) =>
        Nodes(plan).Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == table);

    private static async Task<JsonElement> PlanAsync(DbCommand command, CancellationToken token)
    {
        command.CommandText = "EXPLAIN (FORMAT JSON) " + command.CommandText;
        var json = (string)(await command.ExecuteScalarAsync(token))!;
        return JsonDocument.Parse(json).RootElement[0].GetProperty("Plan").Clone();
    }
}
