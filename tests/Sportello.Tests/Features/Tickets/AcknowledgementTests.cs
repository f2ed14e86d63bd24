using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

/// <summary>A node whose relay cannot be reached: acknowledgements are committed with their tickets, and wait.</summary>
public sealed class RelayDownNode : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:SmtpListen"] = "",
        ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
        ["Sportello:Mail:Outbound:Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The node that starts next on the same database, writing to mail-out/.</summary>
public sealed class NextMailNode(TestDatabase database, ManualClock clock) : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?> { ["Sportello:Mail:SmtpListen"] = "" };

    public override ValueTask InitializeAsync()
    {
        ShareDatabase(database);
        Clock.Advance(clock.GetUtcNow() - Clock.GetUtcNow());
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The acknowledgement of a new ticket is sent exactly once: the outbox's claims and marks share the group commit with
/// the tickets being opened, and the outbox row, committed with the ticket, is the durable record until it is sent.
/// </summary>
[Trait("Category", "Data")]
public sealed class AcknowledgementTests(MailApp app) : IClassFixture<MailApp>
{
    private static object Ticket(string subject) => new
    {
        department = "technical", priority = "normal", subject, description = "The server answers slowly since this morning.",
    };

    private static async Task<(HttpClient Customer, string Email)> CustomerAsync(SportelloApp node, string prefix)
    {
        var (email, _, _) = Unique.Customer(prefix);
        await (await node.AdminAsync()).CreateCustomerAsync(email);
        return (await node.SignInAsync(email, "customer passphrase 2026"), email);
    }

    [Fact]
    public async Task OpenTicket_ManyAtOnce_EachIsAcknowledgedExactlyOnce()
    {
        var customers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CustomerAsync(app, "ack-burst")));
        var opened = await Task.WhenAll(Enumerable.Range(0, 48).Select(async i =>
        {
            var (customer, email) = customers[i % customers.Length];
            var ticket = await customer.OpenTicketAsync(Ticket($"Burst {i}"));
            return (Email: email, Id: ticket.GetProperty("id").GetString()!, Number: ticket.GetProperty("number").GetString()!);
        }));

        var admin = await app.AdminAsync();
        var ids = opened.Select(t => t.Id).ToHashSet();
        var acknowledgements = Array.Empty<System.Text.Json.JsonElement>();
        await Eventually.TrueAsync(async () =>
        {
            acknowledgements = (await admin.OutboxAsync()).Where(m => m.GetProperty("ticketId").GetString() is { } id && ids.Contains(id)).ToArray();
            return acknowledgements.Length == opened.Length && acknowledgements.All(m => m.GetProperty("state").GetString() == "sent");
        }, "every acknowledgement to be sent");
        // One row per ticket, delivered in one attempt: nobody got theirs twice.
        Assert.All(acknowledgements, m => Assert.Equal(1, m.GetProperty("attempts").GetInt32()));
        foreach (var (email, _, number) in opened)
        {
            Assert.Single(app.MailOut.To(email), m => m.Subject!.StartsWith($"[#{number}] ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task OpenTicket_NodeStopsBeforeSending_TheNextNodeSendsTheAcknowledgementOnce()
    {
        await using var first = new RelayDownNode();
        await first.InitializeAsync();
        var (customer, email) = await CustomerAsync(first, "ack-durable");
        var ticket = await customer.OpenTicketAsync(Ticket("Committed, not yet sent"));
        var number = ticket.GetProperty("number").GetString()!;
        var admin = await first.AdminAsync();
        var waiting = Array.Empty<System.Text.Json.JsonElement>();
        await Eventually.TrueAsync(async () =>
        {
            waiting = (await admin.OutboxAsync()).Where(m => m.GetProperty("to").GetString() == email).ToArray();
            return waiting.Length == 1 && waiting[0].GetProperty("lastError").GetString()?.StartsWith("Relay down", StringComparison.Ordinal) == true;
        }, "the acknowledgement to wait for the relay");
        Assert.Equal("pending", waiting[0].GetProperty("state").GetString());
        Assert.Empty(first.MailOut.To(email));

        // This node sends nothing more (its relay stays down and its clock stands still); the next one takes over.
        await using var next = new NextMailNode(first.Database, first.Clock);
        await next.InitializeAsync();
        next.Clock.Advance(TimeSpan.FromMinutes(1));
        _ = next.Server;
        var acknowledgement = await next.MailOut.WaitForAsync(email, m => m.Subject!.StartsWith($"[#{number}] ", StringComparison.Ordinal));
        Assert.Contains($"opened ticket {number}", acknowledgement.TextBody, StringComparison.Ordinal);
        var nextAdmin = await next.AdminAsync();
        await Eventually.TrueAsync(async () =>
            (await nextAdmin.OutboxAsync()).Single(m => m.GetProperty("to").GetString() == email).GetProperty("state").GetString() == "sent",
            "the acknowledgement's row to be marked sent");
        var row = (await nextAdmin.OutboxAsync()).Single(m => m.GetProperty("to").GetString() == email);
        Assert.Equal(1, row.GetProperty("attempts").GetInt32());
        Assert.Single(next.MailOut.To(email));
    }
}
