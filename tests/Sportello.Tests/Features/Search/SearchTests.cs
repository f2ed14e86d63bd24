using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Search;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Search;

/// <summary>
/// Ticket search through the API, on SQLite and PostgreSQL alike (CONTRACT.md, "Search"): findable the moment it is
/// acknowledged, stemmed in English and Italian, accents folded, phrases, references first, and the boundaries: a
/// customer's own tickets and public text only, an agent's departments only.
/// </summary>
[Trait("Category", "Data")]
public sealed class SearchTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    // A word no other test writes: with a digit, so it is kept whole rather than stemmed.
    private static string Tag() => "w" + Guid.NewGuid().ToString("N")[..10] + "7";

    private async Task<(HttpClient Customer, string Email)> CustomerAsync()
    {
        var (email, _, _) = Unique.Customer("search");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        return (await app.SignInAsync(email, "customer passphrase 2026"), email);
    }

    private static async Task<string> OpenAsync(HttpClient customer, string subject, string description, string department = "technical") =>
        (await customer.OpenTicketAsync(new { department, priority = "normal", subject, description })).GetProperty("id").GetString()!;

    private static async Task<List<JsonElement>> SearchAsync(HttpClient client, string q, string path = "/api/v1/desk/search", string extra = "")
    {
        var response = await client.GetAsync($"{path}?q={Uri.EscapeDataString(q)}{extra}");
        return (await response.JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
    }

    private static List<string> Ids(List<JsonElement> hits, string property = "ticketId") => hits.Select(h => h.GetProperty(property).GetString()!).ToList();

    // Every page from url on, following the Link headers: the ids seen, in order, and how many pages. More pages than
    // most fails (a cursor that does not move on would page forever).
    private static async Task<(List<string> Ids, int Pages)> PagesAsync(HttpClient client, string url, string property, int most)
    {
        var seen = new List<string>();
        var pages = 0;
        for (string? next = url; next is not null; pages++)
        {
            Assert.True(pages < most, $"more than {most} pages: {string.Join(", ", seen)}");
            var response = await client.GetAsync(next);
            seen.AddRange(Ids((await response.JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList(), property));
            next = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
        }
        return (seen, pages);
    }

    [Fact]
    public async Task ARenamedCustomer_IsFoundByTheNewName_OnEveryTicket_AtOnce()
    {
        var (customer, email) = await CustomerAsync();
        var tag = Tag();
        var first = await OpenAsync(customer, $"Backup {tag}", "The nightly backup failed.");
        var second = await OpenAsync(customer, $"Mailbox {tag}", "The mailbox is full.");
        var agent = await app.AgentAsync($"rename-search{Unique.Next()}@sportello.test", "technical");
        var oldName = "Customer " + email.Split('@')[0];
        Assert.Equal(2, (await SearchAsync(agent, $"\"{oldName}\" {tag}")).Count);

        var web = await app.SignInWebAsync(email, "customer passphrase 2026");
        Assert.Equal(HttpStatusCode.Redirect, (await web.SubmitAsync("/account", "/account?handler=Profile", new Dictionary<string, string>
        {
            ["Profile.Name"] = "Ottavia Quintavalle", ["Profile.Company"] = "", ["Profile.Language"] = "it", ["Profile.TimeZone"] = "Europe/Rome",
        })).StatusCode);

        // (The old name still finds them too: it signs the messages they wrote under it.)
        Assert.Equal(new[] { first, second }.Order(), Ids(await SearchAsync(agent, $"Quintavalle {tag}")).Order());
    }

    [Fact]
    public async Task AReply_IsFound_TheMomentItIsAcknowledged_ByTheAgentAndTheCustomer()
    {
        var (customer, _) = await CustomerAsync();
        var agent = await app.AgentAsync($"search-agent{Unique.Next()}@sportello.test", "technical");
        var id = await OpenAsync(customer, "Mail bounces", "Our mail bounces since this morning.");
        var tag = Tag();

        var reply = await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = $"Please send us the bounce for {tag}." });
        await reply.JsonAsync(HttpStatusCode.Created);

        Assert.Equal([id], Ids(await SearchAsync(agent, tag)));
        Assert.Equal([id], Ids(await SearchAsync(customer, tag, "/api/v1/tickets"), "id"));
    }

    [Theory]
    [InlineData("La fattura di ottobre risulta pagata due volte.", "fatture")]
    [InlineData("We billed you twice for the same domain.", "billing")]
    [InlineData("Non capisco perché il sito è lento.", "perche")]
    [InlineData("Non capisco perche il sito e lento.", "perché")]
    [InlineData("The servers were restarted.", "server")]
    [InlineData("Le caselle di posta sono piene.", "casella")]
    [InlineData("CITTÀ e UNIVERSITÀ", "citta universita")]
    public async Task Words_AreFound_StemmedInEnglishAndItalian_WithAccentsFolded(string text, string query)
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var id = await OpenAsync(customer, "Question " + tag, text);

        Assert.Equal([id], Ids(await SearchAsync(await app.AdminAsync(), $"{query} {tag}")));
        Assert.Equal([id], Ids(await SearchAsync(customer, $"{query} {tag}", "/api/v1/tickets"), "id"));
        // Every word must match: a word the ticket does not have finds nothing.
        Assert.Empty(await SearchAsync(await app.AdminAsync(), $"{query} {tag} elephant"));
    }

    [Fact]
    public async Task ACustomer_FindsOnlyTheirOwnTickets_AndNeverAnInternalNote()
    {
        var (alice, _) = await CustomerAsync();
        var (bob, _) = await CustomerAsync();
        var agent = await app.AgentAsync($"search-agent{Unique.Next()}@sportello.test", "technical");
        var tag = Tag();
        var secret = Tag();
        var mine = await OpenAsync(alice, "Backup " + tag, "Where are my backups?");
        var theirs = await OpenAsync(bob, "Backup " + tag, "Where are my backups?");
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{mine}/messages", new { body = $"Customer is {secret}, check the billing notes.", @internal = true }))
            .JsonAsync(HttpStatusCode.Created);

        Assert.Equal([mine], Ids(await SearchAsync(alice, tag, "/api/v1/tickets"), "id"));
        Assert.Equal([theirs], Ids(await SearchAsync(bob, tag, "/api/v1/tickets"), "id"));
        Assert.Empty(await SearchAsync(alice, secret, "/api/v1/tickets"));
        Assert.Empty(await SearchAsync(bob, secret, "/api/v1/tickets"));
        // The note is found by the Desk, and its passage is the snippet.
        var hit = Assert.Single(await SearchAsync(agent, secret));
        Assert.Equal(mine, hit.GetProperty("ticketId").GetString());
        Assert.Contains(secret, hit.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        // Both for the Desk; the one with the newest activity (the note) first.
        Assert.Equal([mine, theirs], Ids(await SearchAsync(agent, tag)));
    }

    [Fact]
    public async Task AnAgent_FindsOnlyTheirDepartments_AndTheFiltersNarrowTheResults()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var technical = await OpenAsync(customer, "Disk " + tag, "The disk is full.", "technical");
        var financial = await OpenAsync(customer, "Invoice " + tag, "The invoice is wrong.", "financial");
        var technicalAgent = await app.AgentAsync($"search-tech{Unique.Next()}@sportello.test", "technical");
        var financialAgent = await app.AgentAsync($"search-fin{Unique.Next()}@sportello.test", "financial");

        Assert.Equal([technical], Ids(await SearchAsync(technicalAgent, tag)));
        Assert.Equal([financial], Ids(await SearchAsync(financialAgent, tag)));
        // Naming another department does not reach it.
        Assert.Empty(await SearchAsync(technicalAgent, tag, extra: "&department=financial"));
        var admin = await app.AdminAsync();
        Assert.Equal(2, (await SearchAsync(admin, tag)).Count);
        Assert.Equal([financial], Ids(await SearchAsync(admin, tag, extra: "&department=financial")));
        Assert.Equal(2, (await SearchAsync(admin, tag, extra: "&status=open&priority=normal&channel=web&from=2000-01-01")).Count);
        Assert.Empty(await SearchAsync(admin, tag, extra: "&status=closed"));
        Assert.Empty(await SearchAsync(admin, tag, extra: "&to=2000-01-01"));
    }

    [Fact]
    public async Task APhraseInBalancedQuotes_MatchesOnlyThePhrase()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var phrase = await OpenAsync(customer, "Outage " + tag, "Since noon the mail server is down for everyone.");
        var scattered = await OpenAsync(customer, "Outage " + tag, "Down here the weather is fine, and the mail server answers.");
        var admin = await app.AdminAsync();

        Assert.Equal([phrase], Ids(await SearchAsync(admin, $"{tag} \"mail server is down\"")));
        Assert.Equal([scattered, phrase], Ids(await SearchAsync(admin, $"{tag} mail server down")));
        // An unbalanced quote is only a separator.
        Assert.Equal([scattered, phrase], Ids(await SearchAsync(admin, $"{tag} \"mail server down")));
    }

    public static TheoryData<string> Hostile() =>
    [
        "\"", "\"\"", "\"\"\"", "\"unbalanced", "a\"b\"c\"", "*", "**", "x*", "NEAR", "NEAR(a b)", "NEAR(a b, 2)", "(", ")", "(a", "a)",
        "a OR b", "AND", "a AND", "NOT", "NOT x", "-x", "+x", "^x", "x:*", "{en}: x", "en: x", "scope: x", "it_internal:x",
        "'; DROP TABLE \"Tickets\"; --", "1' OR '1'='1", "a & b | c", "!x", "a <-> b", "<2>", "\\", "'", "''", "%", "_", "a%b_c",
        "\u0000", "\u200B", "😀", "𝔘𝔫𝔦", "e\u0301", "ＦＵＬＬ", "ǅ", "İstanbul", "ß", "a:A", "x:AB", "rowid", "MATCH", "*:*",
        "SELECT * FROM \"SearchText\"", "\t\n", "a\r\nb", new string('x', 200), "#", "#1", "[#ABC-123456]", "::1", "1.2.3.4.5",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task QuerySyntax_CannotBreakTheQuery_ItIsSearchedAsText(string q)
    {
        var admin = await app.AdminAsync();
        var (customer, _) = await CustomerAsync();
        foreach (var path in new[] { "/api/v1/desk/search", "/api/v1/tickets" })
        {
            var response = await (path.Contains("desk", StringComparison.Ordinal) ? admin : customer).GetAsync($"{path}?q={Uri.EscapeDataString(q)}");
            if (string.IsNullOrWhiteSpace(q))
            {
                await response.AssertNamesFieldAsync("q");
            }
            else
            {
                Assert.Equal(JsonValueKind.Array, (await response.JsonAsync(HttpStatusCode.OK)).ValueKind);
            }
        }
    }

    [Fact]
    public async Task OperatorsAndPunctuation_AreLiteralText_FoundWhereTheyAreWritten()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var id = await OpenAsync(customer, "Syntax " + tag, "Our app logs NEAR(x) and col:value OR NOT * then 'quoted' text; DROP.");
        var admin = await app.AdminAsync();
        foreach (var q in new[] { "NEAR(x)", "col:value", "OR", "NOT", "'quoted'", "DROP;", "near", "x)" })
        {
            Assert.Equal([id], Ids(await SearchAsync(admin, $"{tag} {q}")));
        }
        Assert.Empty(await SearchAsync(admin, $"{tag} AND elephant"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AnEmptyQuery_Is400NamingQ(string q)
    {
        var admin = await app.AdminAsync();
        var (customer, _) = await CustomerAsync();
        await (await admin.GetAsync($"/api/v1/desk/search?q={Uri.EscapeDataString(q)}")).AssertNamesFieldAsync("q");
        await (await admin.GetAsync("/api/v1/desk/search")).AssertNamesFieldAsync("q");
        await (await customer.GetAsync($"/api/v1/tickets?q={Uri.EscapeDataString(q)}")).AssertNamesFieldAsync("q");
    }

    [Fact]
    public async Task AQueryOver500Characters_Is400NamingQ_And500IsAccepted()
    {
        var admin = await app.AdminAsync();
        await (await admin.GetAsync($"/api/v1/desk/search?q={new string('a', 501)}")).AssertNamesFieldAsync("q");
        await (await admin.GetAsync($"/api/v1/desk/search?q={new string('a', 500)}")).JsonAsync(HttpStatusCode.OK);
        await (await admin.GetAsync("/api/v1/desk/search?q=x&status=lost")).AssertNamesFieldAsync("status");
        await (await admin.GetAsync("/api/v1/desk/search?q=x&from=yesterday")).AssertNamesFieldAsync("from");
        await (await admin.GetAsync("/api/v1/desk/search?q=x&cursor=abc")).AssertNamesFieldAsync("cursor");
        await (await admin.GetAsync("/api/v1/desk/search?q=x&limit=0")).AssertNamesFieldAsync("limit");
    }

    [Fact]
    public async Task AnExactReference_RanksFirst_TicketNumberOrderNumberAndIp()
    {
        var (email, order, ip) = Unique.Customer("search-ref");
        var (customer, serviceId) = await app.CustomerWithServiceAsync(email, order, ip);
        var admin = await app.AdminAsync();
        var about = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "VPS unreachable", description = "It does not answer.", serviceId }))
            .GetProperty("id").GetString()!;
        var ticket = await (await admin.GetAsync($"/api/v1/desk/tickets/{about}")).JsonAsync(HttpStatusCode.OK);
        var number = ticket.GetProperty("number").GetString()!;
        // Another ticket only mentions the number in its text: it comes after the ticket that is the reference.
        var mention = await OpenAsync(customer, "Follow-up", $"About ticket {number}, order #{order} and {ip}: still down.");

        foreach (var q in new[] { number, $"#{number}", $"[#{number}]", number.ToLowerInvariant() })
        {
            var hits = await SearchAsync(admin, q);
            Assert.Equal(about, hits[0].GetProperty("ticketId").GetString());
            Assert.Equal("reference", hits[0].GetProperty("match").GetString());
            Assert.Equal(mention, Assert.Single(hits.Skip(1)).GetProperty("ticketId").GetString());
        }
        foreach (var q in new[] { order, $"#{order}", ip })
        {
            var hits = await SearchAsync(admin, q);
            Assert.Equal([about, mention], Ids(hits));
            Assert.Equal("reference", hits[0].GetProperty("match").GetString());
            Assert.Equal("text", hits[1].GetProperty("match").GetString());
        }
        Assert.Equal([about, mention], Ids(await SearchAsync(customer, number, "/api/v1/tickets"), "id"));
        // Another customer's reference is nobody's business.
        var (stranger, _) = await CustomerAsync();
        Assert.Empty(await SearchAsync(stranger, number, "/api/v1/tickets"));
    }

    [Fact]
    public async Task TheSnippet_IsPlainText_AndItsHighlightsPointAtTheMatchingWords()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var text = string.Concat(Enumerable.Repeat("Filler words before the point. ", 12)) + $"<b>Le fatture</b> di {tag} non arrivano. " +
            string.Concat(Enumerable.Repeat("Filler words after the point. ", 12));
        await OpenAsync(customer, "Invoices", text);
        var hit = Assert.Single(await SearchAsync(await app.AdminAsync(), $"fattura {tag}"));
        var snippet = hit.GetProperty("snippet").GetString()!;
        Assert.Contains("<b>Le fatture</b>", snippet, StringComparison.Ordinal);
        Assert.True(snippet.Length <= Snippet.Width + 4, snippet);
        var marked = hit.GetProperty("highlights").EnumerateArray()
            .Select(h => snippet.Substring(h.GetProperty("start").GetInt32(), h.GetProperty("length").GetInt32())).ToList();
        Assert.Equal(["fatture", tag], marked);
    }

    [Fact]
    public async Task Results_ArePaged_WithACursorAndALinkToTheNextPage()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await OpenAsync(customer, $"Paged {tag}", $"Number {i}."));
        }
        var (seen, _) = await PagesAsync(await app.AdminAsync(), $"/api/v1/desk/search?q={tag}&limit=2", "ticketId", most: 5);
        // Most recently active first, each once.
        ids.Reverse();
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task ACustomersSearch_PagesThroughTheirOwnMatchesOnly_NewestFirst()
    {
        var (alice, _) = await CustomerAsync();
        var (bob, _) = await CustomerAsync();
        var tag = Tag();
        var mine = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            mine.Add(await OpenAsync(alice, $"Disk {tag}", $"Volume {i} is full."));
            // Another customer's tickets with the same word, interleaved: newer than some of hers, never in her pages.
            await OpenAsync(bob, $"Disk {tag}", $"Volume {i} is full too.");
        }
        await OpenAsync(alice, "Mailbox", "Nothing to do with the word.");
        var (seen, pages) = await PagesAsync(alice, $"/api/v1/tickets?q={tag}&limit=2", "id", most: 5);
        mine.Reverse();
        Assert.Equal(mine, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ACustomersPhrase_FoundInFewOfManyTicketsHoldingItsWords_PagesThroughEveryMatch_NewestFirst()
    {
        // Every ticket holds the phrase's words, one in five in the phrase's order: a page lies further back than a
        // search first reads of the customer's newest (PostgreSQL walks on from the rate it found, then asks the index).
        var (alice, _) = await CustomerAsync();
        var (bob, _) = await CustomerAsync();
        var tag = Tag();
        var phrase = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var inOrder = i % 5 == 2;
            var id = await OpenAsync(alice, $"Backups {i}", inOrder ? $"Last night {tag} backup job failed again." : $"The backup {tag} job: it failed again.");
            if (inOrder)
            {
                phrase.Add(id);
                await OpenAsync(bob, $"Backups {i}", $"Here too {tag} backup job failed.");
            }
        }
        phrase.Reverse();
        foreach (var limit in new[] { 1, 2, 3, 20 })
        {
            var (seen, _) = await PagesAsync(alice, $"/api/v1/tickets?q={Uri.EscapeDataString($"\"{tag} backup job failed\"")}&limit={limit}", "id", most: 10);
            Assert.Equal(phrase, seen);
        }
        Assert.Equal(40, (await SearchAsync(alice, $"{tag} backup job failed", "/api/v1/tickets", "&limit=50")).Count);
    }

    [Fact]
    public async Task ACustomersFilteredSearch_FindsOlderMatches_BehindNewerOnesTheFilterDrops()
    {
        // The customer's search with a filter (the use case takes one; the Client Area and the API pass none today):
        // a page is cut from the customer's documents before the filter, so the search must reach past what it drops.
        var (email, _, _) = Unique.Customer("search");
        var customerId = Guid.Parse((await (await app.AdminAsync()).CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var tag = Tag();
        var closed = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            var id = await OpenAsync(customer, $"Quota {tag}", $"Mailbox {i} over quota.");
            await (await customer.PostAsJsonAsync($"/api/v1/tickets/{id}/status", new { status = "closed" })).JsonAsync(HttpStatusCode.OK);
            closed.Add(Guid.Parse(id));
        }
        // Newer matches, all open: more of them stand before the closed ones than a search reads of the newest.
        for (var i = 0; i < 8; i++)
        {
            await OpenAsync(customer, $"Quota {tag}", $"Mailbox {i} over quota again.");
        }

        await using var scope = app.Services.CreateAsyncScope();
        var search = scope.ServiceProvider.GetRequiredService<SearchTickets>();
        var first = await search.AsCustomerAsync(customerId, new SearchTickets.Filters(tag, Status: "closed", Limit: 1), TestContext.Current.CancellationToken);
        var second = await search.AsCustomerAsync(customerId, new SearchTickets.Filters(tag, Status: "closed", Limit: 1, Cursor: first.NextCursor), TestContext.Current.CancellationToken);
        var all = await search.AsCustomerAsync(customerId, new SearchTickets.Filters(tag, Status: "closed"), TestContext.Current.CancellationToken);

        closed.Reverse();
        Assert.Equal(closed, all.Hits.Select(h => h.Ticket.Id));
        Assert.Equal([closed[0]], first.Hits.Select(h => h.Ticket.Id));
        Assert.Equal([closed[1]], second.Hits.Select(h => h.Ticket.Id));
        Assert.Null(all.NextCursor);
        Assert.Equal(10, (await SearchAsync(customer, tag, "/api/v1/tickets")).Count);
    }

    [Fact]
    public async Task AMergedTicketsMessages_AreFoundOnTheTicketTheyJoined()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var target = await OpenAsync(customer, "Site slow", "The site is slow.");
        var duplicate = await OpenAsync(customer, "Site slow again", $"Still slow, see trace {tag}.");
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync($"/api/v1/desk/tickets/{duplicate}/merge", new { into = target })).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([target], Ids(await SearchAsync(admin, tag)));
        Assert.Equal([target], Ids(await SearchAsync(customer, tag, "/api/v1/tickets"), "id"));
    }

    [Fact]
    public async Task TheMigration_IndexesTicketsThatExistedBeforeIt()
    {
        var (customer, _) = await CustomerAsync();
        var tag = Tag();
        var id = await OpenAsync(customer, "Old ticket " + tag, "Written before search existed.");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // As before the migration: no documents, and the mark the migration leaves.
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await db.SearchDocuments.ExecuteDeleteAsync(TestContext.Current.CancellationToken);
            db.SearchDocuments.Add(new SearchDocument { Kind = SearchKinds.Backfill, TargetId = Guid.Empty });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var admin = await app.AdminAsync();
        Assert.Empty(await SearchAsync(admin, tag));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            Assert.True(await SearchBackfill.RunAsync(db, cancellationToken: TestContext.Current.CancellationToken) >= 1);
            Assert.False(await db.SearchDocuments.AnyAsync(d => d.Kind == SearchKinds.Backfill, TestContext.Current.CancellationToken));
            Assert.Equal(0, await SearchBackfill.RunAsync(db, cancellationToken: TestContext.Current.CancellationToken));
        }
        Assert.Equal([id], Ids(await SearchAsync(admin, tag)));
    }
}
