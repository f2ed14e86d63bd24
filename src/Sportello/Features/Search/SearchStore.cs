using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Search;

/// <summary>
/// The full-text index in each database, behind one interface: SQLite's FTS5 and PostgreSQL's tsvector with GIN. Both
/// receive words already analyzed by <see cref="SearchText"/> (the FTS5 <c>unicode61</c> tokenizer and PostgreSQL's
/// <c>simple</c> configuration only split them at the spaces and lower-case), so the two answer alike. Every word of
/// a query is a quoted literal here, never syntax.
/// </summary>
public static class SearchStore
{
    /// <summary>Replaces the documents of <paramref name="targetIds"/> (of one kind) with <paramref name="documents"/>; each gets a new, highest id.</summary>
    public static async Task ReplaceAsync(SportelloDb db, string kind, IReadOnlyCollection<Guid> targetIds, IReadOnlyList<SearchIndex.Document> documents, CancellationToken cancellationToken = default)
    {
        // On SQLite a trigger removes each deleted document's FTS5 row.
        await db.SearchDocuments.Where(d => d.Kind == kind && targetIds.Contains(d.TargetId)).ExecuteDeleteAsync(cancellationToken);
        var sqlite = db.Database.IsSqlite();
        foreach (var document in documents)
        {
            if (sqlite)
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO "SearchDocuments" ("Kind", "TargetId", "OwnerId") VALUES ({document.Kind}, {document.TargetId}, {document.CustomerId});
                    INSERT INTO "SearchText" (rowid, en, it, en_internal, it_internal, scope)
                    VALUES (last_insert_rowid(), {document.English}, {document.Italian}, {document.InternalEnglish}, {document.InternalItalian}, {document.Scope});
                    """, cancellationToken);
            }
            else
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO "SearchDocuments" ("Kind", "TargetId", "OwnerId", "Public", "Internal") VALUES ({document.Kind}, {document.TargetId}, {document.CustomerId},
                        {TsVector(document.English, document.Italian, document.Scope)}::tsvector, {TsVector(document.InternalEnglish, document.InternalItalian)}::tsvector)
                    """, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Adds the documents of targets that have none yet (tickets being opened), in one statement: nothing to delete,
    /// one round trip for the lot. Each gets a new, highest id, in the order given.
    /// </summary>
    public static async Task InsertAsync(SportelloDb db, IReadOnlyList<SearchIndex.Document> documents, CancellationToken cancellationToken = default)
    {
        if (documents.Count == 0)
        {
            return;
        }
        var sql = new StringBuilder();
        var values = new List<object>(documents.Count * 7);
        string P(object value)
        {
            values.Add(value);
            return "{" + (values.Count - 1).ToString(CultureInfo.InvariantCulture) + "}";
        }
        // A raw parameter cannot be a null object: a document without an owner says NULL in the text.
        string Owner(SearchIndex.Document document) => document.CustomerId is { } owner ? P(owner) : "NULL";
        if (db.Database.IsSqlite())
        {
            foreach (var document in documents)
            {
                // On SQLite the FTS5 row takes the document's rowid: each pair in turn.
                sql.Append(CultureInfo.InvariantCulture, $"""
                    INSERT INTO "SearchDocuments" ("Kind", "TargetId", "OwnerId") VALUES ({P(document.Kind)}, {P(document.TargetId)}, {Owner(document)});
                    INSERT INTO "SearchText" (rowid, en, it, en_internal, it_internal, scope)
                    VALUES (last_insert_rowid(), {P(document.English)}, {P(document.Italian)}, {P(document.InternalEnglish)}, {P(document.InternalItalian)}, {P(document.Scope)});

                    """);
            }
        }
        else
        {
            sql.Append("""INSERT INTO "SearchDocuments" ("Kind", "TargetId", "OwnerId", "Public", "Internal") VALUES """);
            for (var i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                sql.Append(i == 0 ? "\n" : ",\n").Append(CultureInfo.InvariantCulture, $"""
                    ({P(document.Kind)}, {P(document.TargetId)}, {Owner(document)},
                     {P(TsVector(document.English, document.Italian, document.Scope))}::tsvector, {P(TsVector(document.InternalEnglish, document.InternalItalian))}::tsvector)
                    """);
            }
        }
        await db.Database.ExecuteSqlRawAsync(sql.ToString(), values, cancellationToken);
    }

    /// <summary>
    /// The documents (of every kind: join the kind's table) matching every term of <paramref name="query"/>: in public text only for a customer
    /// (<paramref name="customerId"/>, whose own documents only), in public text or internal notes for staff.
    /// Compose filters on it and order by <see cref="SearchDocument.Id"/>, descending: the index reads in that order.
    /// </summary>
    public static IQueryable<SearchDocument> Matching(SportelloDb db, SearchQuery query, Guid? customerId)
    {
        if (db.Database.IsSqlite())
        {
            var open = string.Join(" AND ", query.Terms.Select(t => Fts5(t, "en", "it")));
            var match = customerId is { } id
                ? $"scope : \"{SearchIndex.ScopeToken(id)}\" AND ({open})"
                : $"({open}) OR ({string.Join(" AND ", query.Terms.Select(t => Fts5(t, "en_internal", "it_internal")))})";
            return db.SearchDocuments.FromSqlRaw("""
                SELECT s.rowid AS "Id", d."Kind", d."TargetId", d."OwnerId"
                FROM "SearchText" AS s JOIN "SearchDocuments" AS d ON d."Id" = s.rowid
                WHERE "SearchText" MATCH {0}
                """, match);
        }
        var tsquery = TsQuery(query);
        // A customer's search starts from their own documents: the owner's token (weight D, never a word's) is in the
        // index, so GIN intersects it with the words, led by the owner's short entry, instead of reading the word's.
        // OFFSET 0 keeps the intersection: PostgreSQL has no statistics for one owner's token, guesses hundreds of
        // matches, and would otherwise walk the whole table newest first looking for a page (850 ms at 100,000).
        return customerId is not { } owner
            ? db.SearchDocuments.FromSqlRaw("""
                SELECT d."Id", d."Kind", d."TargetId", d."OwnerId" FROM "SearchDocuments" AS d
                WHERE d."Public" @@ to_tsquery('simple', {0}) OR d."Internal" @@ to_tsquery('simple', {0})
                """, tsquery)
            : db.SearchDocuments.FromSqlRaw("""
                SELECT d."Id", d."Kind", d."TargetId", d."OwnerId" FROM "SearchDocuments" AS d
                WHERE d."Public" @@ to_tsquery('simple', {0})
                OFFSET 0
                """, $"'{SearchIndex.ScopeToken(owner)}':D & {tsquery}");
    }

    /// <summary>
    /// PostgreSQL: of the owner's newest <paramref name="walk"/> documents (of <paramref name="kind"/>, before the
    /// cursor), newest first, those matching <paramref name="query"/>; read from the owner's index, and stopped as soon
    /// as <paramref name="take"/> match.
    /// </summary>
    private static IQueryable<SearchDocument> RecentOwn(SportelloDb db, SearchQuery query, Guid owner, string kind, long? before, int walk, int take) =>
        db.SearchDocuments.FromSqlRaw("""
            SELECT d."Id", d."Kind", d."TargetId", d."OwnerId" FROM (
                SELECT r."Id", r."Kind", r."TargetId", r."OwnerId", r."Public" FROM "SearchDocuments" AS r
                WHERE r."OwnerId" = {0} AND r."Kind" = {1} AND r."Id" < {2}
                ORDER BY r."Id" DESC LIMIT {3}) AS d
            WHERE d."Public" @@ to_tsquery('simple', {4})
            ORDER BY d."Id" DESC LIMIT {5}
            """, owner, kind, before ?? long.MaxValue, walk, TsQuery(query), take);

    /// <summary>
    /// One page of <paramref name="targets"/> (of <paramref name="kind"/>, joined on <paramref name="key"/>) matching
    /// <paramref name="query"/>, most recently indexed first, after the cursor <paramref name="before"/>; and the next
    /// cursor when there is more. <paramref name="targets"/> carries who may see what, and the filters.
    /// </summary>
    public static async Task<(List<T> Items, string? Next)> PageAsync<T>(
        SportelloDb db, SearchQuery query, Guid? customerId, string kind, IQueryable<T> targets, Expression<Func<T, Guid>> key,
        long? before, int size, CancellationToken cancellationToken) where T : class
    {
        if (query.Terms.Count == 0)
        {
            return ([], null);
        }
        var matching = Matching(db, query, customerId).Where(d => d.Kind == kind);
        List<(long Id, T Item)> rows;
        if (customerId is null)
        {
            rows = await JoinedAsync(before is { } cursor ? matching.Where(d => d.Id < cursor) : matching, targets, key, size + 1, cancellationToken);
        }
        else
        {
            // PostgreSQL: a word common in the customer's documents fills a page from their newest ones (the index would
            // read and recheck every one of their matches first); a rarer one, or none, is read from the index.
            rows = db.Database.IsSqlite() ? [] : await JoinedAsync(
                RecentOwn(db, query, customerId.Value, kind, before, RecentWalk * (size + 1), size + 1), targets, key, size + 1, cancellationToken);
            if (rows.Count is > 0 && rows.Count <= size)
            {
                // Some matched, not a page's worth: at the rate they matched, the page lies further back. Walk twice that
                // far (at most MaxWalk documents): a phrase whose words most of the customer's documents hold would make
                // the index recheck every one of those, however old (144 ms for a customer with 50,000 tickets).
                var walk = (int)Math.Min(MaxWalk, 2L * RecentWalk * (size + 1) * (size + 1) / rows.Count);
                rows = await JoinedAsync(RecentOwn(db, query, customerId.Value, kind, before, walk, size + 1), targets, key, size + 1, cancellationToken);
            }
            if (rows.Count <= size)
            {
                rows = await OwnPageAsync(matching, targets, key, before, size + 1, cancellationToken);
            }
        }
        var next = rows.Count > size ? rows[size - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return (rows.Take(size).Select(r => r.Item).ToList(), next);
    }

    /// <summary>How many of a customer's newest documents per result a search reads before it asks the index instead.</summary>
    private const int RecentWalk = 4;

    /// <summary>How many of a customer's newest documents a search reads at most, when the first walk found a few matches.</summary>
    private const int MaxWalk = 4_096;

    /// <summary>
    /// A customer's page from the index: their matching documents are cut to a page first, newest first, and only then
    /// joined to <paramref name="targets"/>, so the database plans the documents alone (joined first, every match of the
    /// customer is read and joined before the page is cut). Documents the filters drop are made up by the next, larger,
    /// chunk.
    /// </summary>
    private static async Task<List<(long Id, T Item)>> OwnPageAsync<T>(
        IQueryable<SearchDocument> matching, IQueryable<T> targets, Expression<Func<T, Guid>> key, long? before, int take,
        CancellationToken cancellationToken) where T : class
    {
        var rows = new List<(long Id, T Item)>();
        var chunk = take;
        while (true)
        {
            var documents = (before is { } cursor ? matching.Where(d => d.Id < cursor) : matching).OrderByDescending(d => d.Id).Take(chunk);
            var read = await documents.LeftJoin(targets, d => d.TargetId, key, (d, t) => new { d.Id, Item = t })
                .OrderByDescending(x => x.Id).ToListAsync(cancellationToken);
            rows.AddRange(read.Where(r => r.Item is not null).Take(take - rows.Count).Select(r => (r.Id, r.Item!)));
            if (rows.Count == take || read.Count < chunk)
            {
                return rows;
            }
            before = read[^1].Id;
            chunk = Math.Min(chunk * 4, 2_000);
        }
    }

    // The first documents that have a target (who may see it, with the filters), newest first.
    private static async Task<List<(long Id, T Item)>> JoinedAsync<T>(
        IQueryable<SearchDocument> documents, IQueryable<T> targets, Expression<Func<T, Guid>> key, int take, CancellationToken cancellationToken) where T : class =>
        [.. (await documents.Join(targets, d => d.TargetId, key, (d, t) => new { d.Id, Item = t })
            .OrderByDescending(x => x.Id).Take(take).ToListAsync(cancellationToken)).Select(r => (r.Id, r.Item))];

    // FTS5: a "string" is always literal (the analyzer leaves no quote in a word); several words in one are a phrase.
    private static string Fts5(SearchTerm term, string english, string italian) =>
        term.English == term.Italian
            ? $"{{{english} {italian}}} : \"{term.English}\""
            : $"({english} : \"{term.English}\" OR {italian} : \"{term.Italian}\")";

    internal static string TsQuery(SearchQuery query) => string.Join(" & ", query.Terms.Select(TsQuery));

    // PostgreSQL: a term's English stems among the English ones (weight A, or C where both languages agree), or its
    // Italian stems among the Italian ones (B or C), as FTS5 reads its two columns; a phrase joins them with <->.
    // Documents written before positions were shared (English A, Italian B after them) answer the same query alike.
    private static string TsQuery(SearchTerm term)
    {
        static string Phrase(IEnumerable<string> words, string weights) =>
            "(" + string.Join(" <-> ", words.Select(w => "'" + w.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "\\\\", StringComparison.Ordinal) + "':" + weights)) + ")";
        return "(" + Phrase(term.Words.Select(w => w.English), "AC") + " | " + Phrase(term.Words.Select(w => w.Italian), "BC") + ")";
    }

    /// <summary>Positions PostgreSQL keeps per lexeme in a <c>tsvector</c> (it drops the rest).</summary>
    private const int MaxPositionsPerLexeme = 255;

    /// <summary>The highest position a <c>tsvector</c> holds (later words all stand there).</summary>
    private const int MaxPosition = 16_383;

    /// <summary>
    /// PostgreSQL: one side of a document (its words as <see cref="SearchIndex"/> wrote them: English and Italian
    /// stems in parallel, one per word) as a <c>tsvector</c> in PostgreSQL's text form. Each word keeps one position for both its
    /// stems: the English stem with weight A and the Italian with B, or one entry with C where the two are the same word
    /// (half of them: names, numbers, most short words), so the index stores no position twice. The owner's token, if
    /// any, stands with weight D, which no query word asks for.
    /// </summary>
    public static string TsVector(string english, string italian, string scope = "")
    {
        var englishWords = english.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var italianWords = italian.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var lexemes = new Dictionary<string, Positions>(StringComparer.Ordinal);
        void Add(string lexeme, int position, char weight)
        {
            if (!lexemes.TryGetValue(lexeme, out var positions))
            {
                lexemes[lexeme] = positions = new Positions();
            }
            else if (positions.Count >= MaxPositionsPerLexeme)
            {
                return;
            }
            else
            {
                positions.Text.Append(',');
            }
            positions.Text.Append(CultureInfo.InvariantCulture, $"{position}{weight}");
            positions.Count++;
        }
        for (var i = 0; i < Math.Max(englishWords.Length, italianWords.Length); i++)
        {
            var position = Math.Min(i + 1, MaxPosition);
            var en = i < englishWords.Length ? englishWords[i] : null;
            var it = i < italianWords.Length ? italianWords[i] : null;
            if (en == it)
            {
                Add(en!, position, 'C');
                continue;
            }
            if (en is not null)
            {
                Add(en, position, 'A');
            }
            if (it is not null)
            {
                Add(it, position, 'B');
            }
        }
        if (scope.Length > 0)
        {
            // After the words: a word that happens to spell the token never shares its position (nor takes its weight).
            Add(scope, Math.Min(Math.Max(englishWords.Length, italianWords.Length) + 1, MaxPosition), 'D');
        }
        var text = new StringBuilder();
        foreach (var (lexeme, positions) in lexemes)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }
            text.Append('\'').Append(lexeme.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal)).Append("':").Append(positions.Text);
        }
        return text.ToString();
    }

    private sealed class Positions
    {
        public StringBuilder Text { get; } = new();
        public int Count { get; set; }
    }
}
