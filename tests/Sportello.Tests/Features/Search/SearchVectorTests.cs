using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Search;
using Sportello.Tests.Data;
using Sportello.Tests.Infrastructure;
using Sportello.Web;

namespace Sportello.Tests.Features.Search;

/// <summary>
/// How PostgreSQL stores a document's words: each word once, at one position for both its stems (English weight A,
/// Italian B, one entry C where they agree), the owner's token (D) after them. Smaller than the two streams one after
/// the other it replaced, answering every query alike; and a document still in that older form is found as before.
/// </summary>
[Trait("Category", "Data")]
public sealed class SearchVectorTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    private const string Bilingual =
        "Le fatture scadute del server non arrivano. The billing server failed twice; billed invoices are missing since the outage. Perché?";

    private static (string English, string Italian) Streams(string text)
    {
        var words = SearchText.Words(text).ToList();
        return (string.Join(' ', words.Select(w => w.English)), string.Join(' ', words.Select(w => w.Italian)));
    }

    // The form documents were written in before positions were shared: the English stream, then the Italian one after it.
    private const string OldForm =
        "setweight(to_tsvector('simple', {0}), 'A') || setweight(to_tsvector('simple', {1}), 'B') || setweight(to_tsvector('simple', {2}), 'D')";

    private const string OldSize = "SELECT pg_column_size(" + OldForm + ") AS \"Value\"";
    private const string OldMatches = "SELECT " + OldForm + " @@ to_tsquery('simple', {3}) AS \"Value\"";
    private const string ToOldForm = "UPDATE \"SearchDocuments\" SET \"Public\" = " + OldForm + " WHERE \"Kind\" = 'ticket' AND \"TargetId\" = {3}";

    [Fact]
    public void AWord_StandsOnceForBothItsStems_AndTheOwnersTokenAfterTheWords()
    {
        Assert.Equal("'server':1A 'serv':1B 'is':2C 'down':3C 'cowner':4D", SearchStore.TsVector("server is down", "serv is down", "cowner"));
        Assert.Equal("'bill':1C,3C 'fattur':2A 'fatt':2B", SearchStore.TsVector("bill fattur bill", "bill fatt bill"));
        Assert.Equal("", SearchStore.TsVector("", ""));
    }

    [Fact]
    public async Task TheSharedForm_IsSmaller_AndAnswersEveryQueryAsTheOldFormDid()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var (english, italian) = Streams(Bilingual);
        const string Owner = "c0123456789abcdef0123456789abcdef";

        // A thread repeats its words: where both stems agree, the old form stored every occurrence twice.
        var (threadEnglish, threadItalian) = Streams(string.Join(' ', Enumerable.Repeat(Bilingual, 10)));
        var shared = await db.Database.SqlQueryRaw<int>("SELECT pg_column_size(CAST({0} AS tsvector)) AS \"Value\"", SearchStore.TsVector(threadEnglish, threadItalian, Owner)).SingleAsync(token);
        var old = await db.Database.SqlQueryRaw<int>(OldSize, threadEnglish, threadItalian, Owner).SingleAsync(token);
        Assert.True(shared < old * 0.85, $"shared form {shared} bytes, the old {old}");

        (string Q, bool Found)[] queries =
        [
            ("fattura", true), ("fatture", true), ("billing", true), ("bill", true), ("invoice", true), ("perche", true), ("server", true),
            ("outage", true), ("twice", true), ("\"fattura scaduta\"", true), ("\"billing server\"", true), ("\"bill server\"", true),
            ("\"server failed\"", true), ("\"scadute del server\"", true), ("\"invoices are missing\"", true),
            ("\"server billing\"", false), ("\"fatture arrivano\"", false), ("\"missing invoices\"", false), ("nothing", false), (Owner, false),
        ];
        foreach (var (q, found) in queries)
        {
            var tsquery = SearchStore.TsQuery(SearchQuery.Read(q, new ValidationErrors())!);
            var newAnswer = await db.Database.SqlQueryRaw<bool>(
                "SELECT CAST({0} AS tsvector) @@ to_tsquery('simple', {1}) AS \"Value\"", SearchStore.TsVector(english, italian, Owner), tsquery).SingleAsync(token);
            var oldAnswer = await db.Database.SqlQueryRaw<bool>(OldMatches, english, italian, Owner, tsquery).SingleAsync(token);
            Assert.True(newAnswer == oldAnswer, $"{q}: shared form {newAnswer}, old form {oldAnswer}");
            Assert.True(found == newAnswer, $"{q}: expected {found}");
        }
    }

    [Fact]
    public async Task AnyLexeme_SurvivesTheTextForm_QuotesAndBackslashesIncluded()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var lexemes = await db.Database.SqlQueryRaw<string>(
            "SELECT lexeme AS \"Value\" FROM unnest(CAST({0} AS tsvector)) ORDER BY lexeme COLLATE \"C\"", SearchStore.TsVector("it's a\\b :1 perché", "it's a\\b :1 perch")).ToListAsync(token);
        Assert.Equal([":1", "a\\b", "it's", "perch", "perché"], lexemes);
    }

    [Fact]
    public async Task ADocumentStillInTheOldForm_IsFoundByAgentAndCustomer_AsBefore()
    {
        var (email, _, _) = Unique.Customer("oldform");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var tag = "w" + Guid.NewGuid().ToString("N")[..10] + "7";
        var ticket = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Fatture " + tag, description = Bilingual }))
            .GetProperty("id").GetString()!;
        var token = TestContext.Current.CancellationToken;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // As an installation upgraded with its documents written before: the same words, in the old form.
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            var customerId = await db.Tickets.Where(t => t.Id == Guid.Parse(ticket)).Select(t => t.CustomerId!.Value).SingleAsync(token);
            var (english, italian) = Streams("Fatture " + tag + " " + Bilingual);
            var rewritten = await db.Database.ExecuteSqlRawAsync(ToOldForm, [english, italian, SearchIndex.ScopeToken(customerId), Guid.Parse(ticket)], token);
            Assert.Equal(1, rewritten);
        }
        var admin = await app.AdminAsync();
        foreach (var q in new[] { $"{tag} fattura", $"{tag} \"fattura scaduta\"", $"{tag} \"billed invoice\"", $"{tag} perche" })
        {
            var desk = await (await admin.GetAsync("/api/v1/desk/search?q=" + Uri.EscapeDataString(q))).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(ticket, Assert.Single(desk.EnumerateArray().ToList()).GetProperty("ticketId").GetString());
            var own = await (await customer.GetAsync("/api/v1/tickets?q=" + Uri.EscapeDataString(q))).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(ticket, Assert.Single(own.EnumerateArray().ToList()).GetProperty("id").GetString());
        }
        var none = await (await admin.GetAsync("/api/v1/desk/search?q=" + Uri.EscapeDataString($"{tag} \"server billing\""))).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(none.EnumerateArray());
    }
}
