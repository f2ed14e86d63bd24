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
                    INSERT INTO "SearchDocuments" ("Kind", "TargetId") VALUES ({document.Kind}, {document.TargetId});
                    INSERT INTO "SearchText" (rowid, en, it, en_internal, it_internal, scope)
                    VALUES (last_insert_rowid(), {document.English}, {document.Italian}, {document.InternalEnglish}, {document.InternalItalian}, {document.Scope});
                    """, cancellationToken);
            }
            else
            {
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO "SearchDocuments" ("Kind", "TargetId", "Public", "Internal") VALUES ({document.Kind}, {document.TargetId},
                        setweight(to_tsvector('simple', {document.English}), 'A') || setweight(to_tsvector('simple', {document.Italian}), 'B')
                            || setweight(to_tsvector('simple', {document.Scope}), 'D'),
                        setweight(to_tsvector('simple', {document.InternalEnglish}), 'A') || setweight(to_tsvector('simple', {document.InternalItalian}), 'B'))
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
        if (db.Database.IsSqlite())
        {
            foreach (var document in documents)
            {
                // On SQLite the FTS5 row takes the document's rowid: each pair in turn.
                sql.Append(CultureInfo.InvariantCulture, $"""
                    INSERT INTO "SearchDocuments" ("Kind", "TargetId") VALUES ({P(document.Kind)}, {P(document.TargetId)});
                    INSERT INTO "SearchText" (rowid, en, it, en_internal, it_internal, scope)
                    VALUES (last_insert_rowid(), {P(document.English)}, {P(document.Italian)}, {P(document.InternalEnglish)}, {P(document.InternalItalian)}, {P(document.Scope)});

                    """);
            }
        }
        else
        {
            sql.Append("""INSERT INTO "SearchDocuments" ("Kind", "TargetId", "Public", "Internal") VALUES """);
            for (var i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                sql.Append(i == 0 ? "\n" : ",\n").Append(CultureInfo.InvariantCulture, $"""
                    ({P(document.Kind)}, {P(document.TargetId)},
                     setweight(to_tsvector('simple', {P(document.English)}), 'A') || setweight(to_tsvector('simple', {P(document.Italian)}), 'B')
                         || setweight(to_tsvector('simple', {P(document.Scope)}), 'D'),
                     setweight(to_tsvector('simple', {P(document.InternalEnglish)}), 'A') || setweight(to_tsvector('simple', {P(document.InternalItalian)}), 'B'))
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
                SELECT s.rowid AS "Id", d."Kind", d."TargetId"
                FROM "SearchText" AS s JOIN "SearchDocuments" AS d ON d."Id" = s.rowid
                WHERE "SearchText" MATCH {0}
                """, match);
        }
        var tsquery = string.Join(" & ", query.Terms.Select(TsQuery));
        // A customer's search starts from their own documents: the owner's token (weight D, never a word's) is in the
        // index, so GIN intersects it with the words instead of the customer's documents being read one by one.
        return customerId is not { } owner
            ? db.SearchDocuments.FromSqlRaw("""
                SELECT d."Id", d."Kind", d."TargetId" FROM "SearchDocuments" AS d
                WHERE d."Public" @@ to_tsquery('simple', {0}) OR d."Internal" @@ to_tsquery('simple', {0})
                """, tsquery)
            : db.SearchDocuments.FromSqlRaw("""
                SELECT d."Id", d."Kind", d."TargetId" FROM "SearchDocuments" AS d
                WHERE d."Public" @@ to_tsquery('simple', {0})
                """, $"'{SearchIndex.ScopeToken(owner)}':D & {tsquery}");
    }

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
        var rows = await Matching(db, query, customerId).Where(d => d.Kind == kind && (before == null || d.Id < before))
            .Join(targets, d => d.TargetId, key, (d, t) => new { d.Id, Item = t })
            .OrderByDescending(x => x.Id).Take(size + 1).ToListAsync(cancellationToken);
        var next = rows.Count > size ? rows[size - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return (rows.Take(size).Select(r => r.Item).ToList(), next);
    }

    // FTS5: a "string" is always literal (the analyzer leaves no quote in a word); several words in one are a phrase.
    private static string Fts5(SearchTerm term, string english, string italian) =>
        term.English == term.Italian
            ? $"{{{english} {italian}}} : \"{term.English}\""
            : $"({english} : \"{term.English}\" OR {italian} : \"{term.Italian}\")";

    // PostgreSQL: each word a quoted lexeme of the text's weights (A English, B Italian); a phrase joins them with <->.
    private static string TsQuery(SearchTerm term)
    {
        static string Phrase(IEnumerable<string> words) => "(" + string.Join(" <-> ", words.Select(w => "'" + w.Replace("'", "''", StringComparison.Ordinal).Replace("\\", "\\\\", StringComparison.Ordinal) + "':AB")) + ")";
        var english = Phrase(term.Words.Select(w => w.English));
        var italian = Phrase(term.Words.Select(w => w.Italian));
        var both = new StringBuilder("(").Append(english);
        if (italian != english)
        {
            both.Append(" | ").Append(italian);
        }
        return both.Append(')').ToString();
    }
}
